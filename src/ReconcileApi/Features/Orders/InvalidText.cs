using System.Text;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// Text in a JSON body that is not valid Unicode: a lone UTF-16 surrogate escape (<c>"\ud800"</c>) or invalid
/// UTF-8 bytes. System.Text.Json refuses to turn such a string into .NET text, so an order a format cannot read
/// for that reason is rejected naming the field, and its raw record is kept as text with the bad parts replaced.
/// </summary>
public static class InvalidText
{
    public const string Message = "Is not valid text (a lone UTF-16 surrogate or invalid UTF-8); the record is kept among the rejected records.";

    /// <summary>The path of the first string (or property name) in <paramref name="element"/> that is not valid text; null when all are.</summary>
    public static string? Find(JsonElement element) => JsonText.FirstInvalid(element)?.Path;

    /// <summary>
    /// The order rejected for the text at <paramref name="path"/>, under its id when the format's top-level id field reads
    /// (the receipt names the order, and no missing id is reported beside it); an id that is itself not valid text is
    /// reported as "orderId", as every format reports its id.
    /// </summary>
    public static ReadOrder Rejected(JsonElement record, string orderIdField, string path) =>
        ReadOrder.Rejected(path == orderIdField ? FormatSupport.OrderIdField : path, Message, ReadableId(record, orderIdField));

    static string? ReadableId(JsonElement record, string orderIdField)
    {
        if (record.ValueKind != JsonValueKind.Object)
            return null;
        // Not TryGetProperty, which reads every name it passes and throws at one that is not valid text.
        JsonElement? found = null;
        foreach (var property in record.EnumerateObject())
        {
            if (JsonText.NameOf(property) == orderIdField)
                found = property.Value;
        }
        if (found is not { } id)
            return null;
        return id.ValueKind switch
        {
            JsonValueKind.String when JsonText.IsValid(id) => id.GetString()!.Trim() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        };
    }

    /// <summary>The record as sent, or, when it holds text that cannot be written back as JSON, its raw text (bad parts as U+FFFD).</summary>
    public static JsonElement Raw(ReadOnlyMemory<byte> element)
    {
        using var document = JsonOrderList.Parse(element);
        return Find(document.RootElement) is null
            ? document.RootElement.Clone()
            : JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(element.Span));
    }
}
