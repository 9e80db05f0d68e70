using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders;

/// <summary>A problem with one field of one incoming order.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>Reads one canonical JSON order leniently; every unreadable field becomes a <see cref="FieldError"/>.</summary>
public static class CanonicalFormat
{
    public static CanonicalOrder Read(JsonElement element, TimeZoneInfo zone, List<FieldError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("", $"An order must be a JSON object, not {element.ValueKind.ToString().ToLowerInvariant()}."));
            return new CanonicalOrder { OrderId = "" };
        }
        var reader = new Reader(element, zone, errors, "");
        return new CanonicalOrder
        {
            OrderId = reader.Text("orderId") ?? "",
            OrderNumber = reader.Text("orderNumber"),
            CustomerEmail = reader.Text("customerEmail"),
            CustomerName = reader.Text("customerName"),
            OrderDate = reader.Instant("orderDate"),
            Currency = reader.Text("currency")?.ToUpperInvariant(),
            Total = reader.Money("total", required: true) ?? 0,
            Subtotal = reader.Money("subtotal"),
            Tax = reader.Money("tax"),
            Shipping = reader.Money("shipping"),
            Discount = reader.Money("discount"),
            AmountPaid = reader.Money("amountPaid"),
            AmountRefunded = reader.Money("amountRefunded"),
            Status = reader.Text("status"),
            PaymentReference = reader.Text("paymentReference"),
            UpdatedAt = reader.Instant("updatedAt"),
            Lines = ReadLines(element, zone, errors),
        };
    }

    static List<OrderLine> ReadLines(JsonElement order, TimeZoneInfo zone, List<FieldError> errors)
    {
        if (!order.TryGetProperty("lines", out var lines) || lines.ValueKind == JsonValueKind.Null)
            return [];
        if (lines.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError("lines", "Must be an array of lines."));
            return [];
        }
        var result = new List<OrderLine>(lines.GetArrayLength());
        var i = 0;
        foreach (var line in lines.EnumerateArray())
        {
            var path = $"lines[{i++}]";
            if (line.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError(path, "A line must be a JSON object."));
                continue;
            }
            var reader = new Reader(line, zone, errors, path + ".");
            var kindText = reader.Text("kind");
            var kind = LineKind.Product;
            if (kindText is not null && !Enum.TryParse(kindText, ignoreCase: true, out kind))
                errors.Add(new FieldError(path + ".kind", $"Unknown line kind '{kindText}'; use product, shipping, tax, discount or fee."));
            result.Add(new OrderLine(
                reader.Text("sku"),
                reader.Text("productId"),
                reader.Text("name"),
                reader.Money("quantity") ?? 1,
                reader.Money("unitPrice") ?? 0,
                reader.Money("lineTotal"),
                kind));
        }
        return result;
    }

    readonly struct Reader(JsonElement element, TimeZoneInfo zone, List<FieldError> errors, string prefix)
    {
        public string? Text(string name)
        {
            if (!element.TryGetProperty(name, out var value))
                return null;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    var s = value.GetString()!.Trim();
                    return s.Length == 0 ? null : s;
                case JsonValueKind.Number:
                    return value.GetRawText();
                case JsonValueKind.Null:
                    return null;
                default:
                    errors.Add(new FieldError(prefix + name, $"Must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}."));
                    return null;
            }
        }

        public decimal? Money(string name, bool required = false)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                    errors.Add(new FieldError(prefix + name, "Is required."));
                return null;
            }
            if (Lenient.TryDecimal(value, out var result))
                return result;
            errors.Add(new FieldError(prefix + name, $"Must be a number or a numeric string, not {value.GetRawText()}."));
            return null;
        }

        public DateTime? Instant(string name)
        {
            var text = Text(name);
            if (text is null)
                return null;
            if (Lenient.TryInstant(text, zone, out var utc))
                return utc;
            errors.Add(new FieldError(prefix + name, $"'{text}' is not a date; use ISO 8601, e.g. 2026-10-01T12:00:00-05:00."));
            return null;
        }
    }
}
