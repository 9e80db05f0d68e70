using System.Buffers;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>The canonical order JSON of DESIGN.md ("Orders — ingest"), with the fields the engine reads to compare like with like.</summary>
public sealed class CanonicalFormat : IJsonOrderFormat
{
    public string Name => "canonical";

    public string OrderIdField => "orderId";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders"];

    /// <summary>The canonical order's own camelCase fields, which no vendor's order has.</summary>
    public IReadOnlyList<string> Signature { get; } =
    [
        "orderId", "orderNumber", "customerEmail", "customerName", "orderDate", "amountPaid", "amountRefunded", "paymentReference", "updatedAt",
        "createdAt", "taxesIncluded", "presentmentCurrency", "presentmentTotal", "sourceType", "lines",
    ];

    public CanonicalOrder? TryReadClean(ReadOnlySpan<byte> json, FormatContext context) => CanonicalCleanReader.TryRead(json, context);

    /// <summary>The canonical order's fields and its lines' (DESIGN.md): any other property is warned about, not read.</summary>
    public static readonly IReadOnlyList<string> OrderFields =
    [
        "orderId", "orderNumber", "customerEmail", "customerName", "orderDate", "currency", "total", "subtotal", "tax", "shipping", "discount",
        "amountPaid", "amountRefunded", "status", "paymentReference", "updatedAt", "createdAt", "platform", "taxesIncluded",
        "presentmentCurrency", "presentmentTotal", "sourceType", "lines",
    ];

    /// <summary>What other systems and hand-written steps call a canonical field (by <see cref="Spelling.Key"/>), for the warning's hint.</summary>
    static readonly Dictionary<string, string> OtherNames = new(StringComparer.Ordinal)
    {
        ["id"] = "orderId", ["number"] = "orderNumber", ["name"] = "customerName", ["email"] = "customerEmail", ["contactemail"] = "customerEmail",
        ["date"] = "orderDate", ["createdat"] = "createdAt", ["amount"] = "total", ["totalprice"] = "total", ["grandtotal"] = "total",
        ["ordertotal"] = "total", ["paid"] = "amountPaid", ["refunded"] = "amountRefunded", ["items"] = "lines", ["lineitems"] = "lines",
        ["products"] = "lines", ["price"] = "unitPrice", ["qty"] = "quantity", ["title"] = "name", ["product"] = "name", ["type"] = "kind",
    };

    public static readonly IReadOnlyList<string> LineFields =
        ["kind", "quantity", "unitPrice", "sku", "productId", "name", "lineTotal", "discount", "tax", "originalQuantity"];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var problems = new ReadProblems();
        var o = new JsonFields(Recased(element), context.Zone, problems, dateOrder: context.DateOrder);
        WarnUnknown(o, OrderFields);
        var order = new CanonicalOrder
        {
            OrderId = o.Text(OrderIdField) ?? "",
            OrderNumber = o.Text("orderNumber"),
            CustomerEmail = o.Text("customerEmail"),
            CustomerName = o.Text("customerName"),
            OrderDate = o.Instant("orderDate", strict: true),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = o.Money("total", required: true) ?? 0,
            Subtotal = o.Money("subtotal"),
            Tax = o.Money("tax"),
            Shipping = o.Money("shipping"),
            Discount = o.Money("discount"),
            AmountPaid = o.Money("amountPaid"),
            AmountRefunded = o.Money("amountRefunded"),
            Status = o.Text("status"),
            PaymentReference = o.Text("paymentReference"),
            UpdatedAt = o.Instant("updatedAt"),
            CreatedAt = o.Instant("createdAt"),
            Platform = o.Text("platform")?.ToLowerInvariant(),
            TaxesIncluded = o.Flag("taxesIncluded"),
            PresentmentCurrency = o.Text("presentmentCurrency")?.ToUpperInvariant(),
            PresentmentTotal = o.Money("presentmentTotal"),
            SourceType = o.Text("sourceType")?.ToUpperInvariant(),
            Lines = ReadLines(o),
        };
        return new ReadOrder(order, problems);
    }

    static List<OrderLine> ReadLines(JsonFields order)
    {
        var lines = new LineReader(order.Problems);
        foreach (var line in order.Objects("lines", lines))
        {
            WarnUnknown(line, LineFields);
            var kindText = line.Text("kind");
            var kind = LineKinds.Canonical(kindText);
            if (kind is null)
                lines.Unreadable(line.PathOf("kind"), $"Unknown line kind '{kindText}'; use product, shipping, tax, discount or fee.");
            var quantity = line.LineQuantity("quantity", lines);
            var price = line.LineAmount("unitPrice", lines);
            if (quantity is not { } q || price is not { } p || kind is null)
                continue;
            lines.Add(new OrderLine(line.Text("sku"), line.Text("productId"), line.Text("name"), q, p, line.Money("lineTotal"), kind.Value)
            {
                Discount = line.Money("discount"),
                Tax = line.Money("tax"),
                OriginalQuantity = line.Money("originalQuantity"),
            });
        }
        return lines.Lines;
    }

    /// <summary>
    /// The order with its fields' and its lines' names as the format writes them, when some are written in another case
    /// (`OrderId`, `CustomerEmail`, `UnitPrice`: a C# tool serializing with .NET's or Newtonsoft's defaults): ASP.NET Core
    /// binds JSON without regard to case, and such an order lost every field — rejected for want of an id. Only a name
    /// that differs from a canonical one by case alone is renamed, and not when the order also has that name as written.
    /// </summary>
    static JsonElement Recased(JsonElement order)
    {
        if (!Miscased(order, OrderFields) && !(Lines(order) is { ValueKind: JsonValueKind.Array } lines && lines.EnumerateArray().Any(l => Miscased(l, LineFields))))
            return order;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in order.EnumerateObject())
            {
                var name = Rename(order, property.Name, OrderFields);
                writer.WritePropertyName(name);
                if (name != "lines" || property.Value.ValueKind != JsonValueKind.Array)
                {
                    property.Value.WriteTo(writer);
                    continue;
                }
                writer.WriteStartArray();
                foreach (var line in property.Value.EnumerateArray())
                {
                    if (line.ValueKind != JsonValueKind.Object)
                    {
                        line.WriteTo(writer);
                        continue;
                    }
                    writer.WriteStartObject();
                    foreach (var field in line.EnumerateObject())
                    {
                        writer.WritePropertyName(Rename(line, field.Name, LineFields));
                        field.Value.WriteTo(writer);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);

        static JsonElement? Lines(JsonElement order) =>
            order.EnumerateObject().Where(p => p.Name.Equals("lines", StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).LastOrDefault();
    }

    static bool Miscased(JsonElement fields, IReadOnlyList<string> known) =>
        fields.ValueKind == JsonValueKind.Object && fields.EnumerateObject().Any(p => Rename(fields, p.Name, known) != p.Name);

    static string Rename(JsonElement fields, string name, IReadOnlyList<string> known) =>
        known.Contains(name) ? name
        : known.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } canonical && !fields.TryGetProperty(canonical, out _) ? canonical
        : name;

    /// <summary>
    /// A property the canonical order does not have is not read, and the receipt says so: the canonical format is this
    /// service's own, so a name it lacks is a caller's typo or another naming (`customer_email`, `Total`), whose value would
    /// otherwise be lost without a word. A name that is a canonical one written another way names it.
    /// </summary>
    static void WarnUnknown(JsonFields fields, IReadOnlyList<string> known)
    {
        foreach (var property in fields.Element.EnumerateObject())
        {
            if (known.Contains(property.Name))
                continue;
            var meant = Spelling.Closest(property.Name, known)
                ?? (OtherNames.TryGetValue(Spelling.Key(property.Name), out var named) && known.Contains(named) ? named : null);
            fields.Warn(property.Name, meant is null
                ? "Is not a field of the canonical order: not read."
                : $"Is not a field of the canonical order: not read. Did you mean `{meant}`? Canonical names are camelCase.");
        }
    }
}
