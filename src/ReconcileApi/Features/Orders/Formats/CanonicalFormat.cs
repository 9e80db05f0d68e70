using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>The canonical order JSON of DESIGN.md ("Orders — ingest").</summary>
public sealed class CanonicalFormat : IJsonOrderFormat
{
    public string Name => "canonical";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders"];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        var errors = new List<FieldError>();
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("", $"An order must be a JSON object, not {element.ValueKind.ToString().ToLowerInvariant()}."));
            return new ReadOrder(new CanonicalOrder { OrderId = "" }, errors);
        }
        var o = new JsonFields(element, context.Zone, errors);
        var order = new CanonicalOrder
        {
            OrderId = o.Text("orderId") ?? "",
            OrderNumber = o.Text("orderNumber"),
            CustomerEmail = o.Text("customerEmail"),
            CustomerName = o.Text("customerName"),
            OrderDate = o.Instant("orderDate"),
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
            Lines = ReadLines(o),
        };
        return new ReadOrder(order, errors);
    }

    static List<OrderLine> ReadLines(JsonFields order)
    {
        var result = new List<OrderLine>();
        foreach (var line in order.Objects("lines"))
        {
            var kindText = line.Text("kind");
            var kind = LineKind.Product;
            if (kindText is not null && !(Enum.TryParse(kindText, ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(kindText, out _)))
                line.Error("kind", $"Unknown line kind '{kindText}'; use product, shipping, tax, discount or fee.");
            result.Add(new OrderLine(
                line.Text("sku"),
                line.Text("productId"),
                line.Text("name"),
                line.Money("quantity") ?? 1,
                line.Money("unitPrice") ?? 0,
                line.Money("lineTotal"),
                kind));
        }
        return result;
    }
}
