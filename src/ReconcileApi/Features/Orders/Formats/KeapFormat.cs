namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Keap REST orders, v1 (<c>/crm/rest/v1/orders</c>) and v2 (<c>/crm/rest/v2/orders</c>), told apart per
/// order: v2 has <c>order_time</c>/<c>creation_time</c>/<c>modification_time</c>, <c>given_name</c>, items with
/// <c>item_type</c>/<c>price_per_unit</c>, or money as <c>{amount, currency_code, formatted_amount}</c>
/// objects (amount in minor units). Money may also be a plain major-unit number in both versions.
/// v1 has no currency: <see cref="CanonicalOrder.Currency"/> stays null unless a money object names one.
/// Item kinds: see <see cref="LineKinds.FromKeapItemType"/>; shipping, tax and discount items also give the order's
/// <see cref="CanonicalOrder.Shipping"/>, <see cref="CanonicalOrder.Tax"/> and <see cref="CanonicalOrder.Discount"/>
/// (discount as a positive amount, including per-item discounts), and product items its subtotal.
/// The store reference comes from the title only: <c>invoice_number</c> is Keap's own number. <c>source_type</c>
/// (API, MANUAL_PAYMENT, INVOICE, CHECKOUT_FORM, …) and the record's creation time are kept for the engine.
/// </summary>
public sealed class KeapFormat : IJsonOrderFormat
{
    public string Name => "keap";

    public string OrderIdField => "id";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders", "order"];

    /// <summary>REST v1 and v2 order fields (DOMAIN.md, "Keap").</summary>
    public IReadOnlyList<string> Signature { get; } =
    [
        "order_items", "contact", "order_date", "order_time", "creation_date", "creation_time", "modification_date", "modification_time",
        "total_paid", "total_due", "refund_total", "source_type", "order_type", "invoice_number", "shipping_information",
    ];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var problems = new ReadProblems();
        var o = new JsonFields(element, context.Zone, problems, dateOrder: context.DateOrder);
        var money = new KeapMoney();
        var v2 = IsV2(o);

        var id = o.Text(OrderIdField);
        if (id is null)
            FormatSupport.MissingOrderId(problems, "id");

        var total = money.Read(o, "total", required: true) ?? 0;
        money.Read(o, "total_due");
        var reader = new LineReader(problems);
        decimal itemDiscounts = 0;
        foreach (var item in o.Objects("order_items", reader))
        {
            var quantity = item.LineQuantity("quantity", reader);
            var price = item.TryGet("price_per_unit", out _) ? money.Read(item, "price_per_unit") : money.Read(item, "price");
            if (price is null)
                reader.Unreadable(item.PathOf(item.TryGet("price_per_unit", out _) ? "price_per_unit" : "price"), "Is missing or not an amount.");
            var discount = money.Read(item, "discount");
            itemDiscounts += Math.Abs(discount ?? 0);
            var typeText = item.Text("item_type") ?? item.Text("type");
            var kind = LineKinds.FromKeapItemType(typeText);
            if (kind is null)
                reader.Unreadable(item.PathOf(item.TryGet("item_type", out _) ? "item_type" : "type"), $"Unknown Keap item type '{typeText}'.");
            if (quantity is not { } q || price is not { } p || kind is null)
                continue;
            reader.Add(new OrderLine(
                item.Text("product.sku"),
                item.Text("product.id"),
                item.Text("name") ?? item.Text("product.name") ?? item.Text("description"),
                q,
                p,
                FormatSupport.LineAmount(q, p, discount),
                kind.Value) { Discount = discount is { } d && d != 0 ? Math.Abs(d) : null });
        }
        var lines = reader.Lines;

        decimal? KindSum(LineKind kind) => lines.Any(l => l.Kind == kind) ? lines.Where(l => l.Kind == kind).Sum(l => l.LineTotal ?? 0) : null;
        var discountItems = KindSum(LineKind.Discount);
        decimal? discountTotal = discountItems is null && itemDiscounts == 0 ? null : Math.Abs(discountItems ?? 0) + itemDiscounts;

        // Without an order date the creation date stands in, and then one that cannot be read rejects the order.
        var orderDate = o.Instant(v2 ? "order_time" : "order_date", strict: true);
        var createdAt = o.Instant(v2 ? "creation_time" : "creation_date", strict: orderDate is null);
        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            // Keap's invoice_number is its own number, never the store's reference.
            OrderNumber = o.Text("title"),
            CustomerEmail = o.Text("contact.email") ?? FirstEmail(o),
            CustomerName = v2
                ? FormatSupport.PersonName(o.Text("contact.given_name"), o.Text("contact.family_name")) ?? FormatSupport.PersonName(o.Text("contact.first_name"), o.Text("contact.last_name"))
                : FormatSupport.PersonName(o.Text("contact.first_name"), o.Text("contact.last_name")) ?? FormatSupport.PersonName(o.Text("contact.given_name"), o.Text("contact.family_name")),
            OrderDate = orderDate ?? createdAt,
            UpdatedAt = v2 ? o.Instant("modification_time") : o.Instant("modification_date"),
            CreatedAt = createdAt,
            SourceType = o.Text("source_type")?.ToUpperInvariant(),
            Total = total,
            Subtotal = KindSum(LineKind.Product),
            Tax = KindSum(LineKind.Tax),
            Shipping = KindSum(LineKind.Shipping),
            Discount = discountTotal,
            AmountPaid = money.Read(o, "total_paid"),
            AmountRefunded = money.Read(o, "refund_total"),
            Status = o.Text("status"),
            Lines = lines,
        };
        // Read after every amount, so any money object can name the currency.
        order = order with { Currency = money.Currency };
        return new ReadOrder(order, problems);
    }

    static bool IsV2(JsonFields o)
    {
        if (o.TryGet("order_time", out _) || o.TryGet("creation_time", out _) || o.TryGet("modification_time", out _)
            || o.TryGet("contact.given_name", out _) || o.TryGet("contact.family_name", out _))
            return true;
        foreach (var field in (string[])["total", "total_paid", "total_due", "refund_total"])
        {
            if (o.TryGet(field, out var value) && value.ValueKind == JsonValueKind.Object)
                return true;
        }
        return o.TryGet("order_items", out var items) && items.ValueKind == JsonValueKind.Array
            && items.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object && (i.TryGetProperty("item_type", out _) || i.TryGetProperty("price_per_unit", out _)));
    }

    static string? FirstEmail(JsonFields o)
    {
        foreach (var address in o.Object("contact").Objects("email_addresses"))
        {
            if (address.Text("email") is { } email)
                return email;
        }
        return null;
    }

    /// <summary>Reads Keap money (a major-unit number or string, or a v2 minor-unit object) and remembers its currency.</summary>
    sealed class KeapMoney
    {
        public string? Currency { get; private set; }

        public decimal? Read(JsonFields f, string path, bool required = false)
        {
            if (!f.TryGet(path, out var value) || value.ValueKind != JsonValueKind.Object)
                return f.Money(path, required);
            var m = f.Object(path);
            var currency = m.Text("currency_code")?.ToUpperInvariant();
            if (currency is not null)
                Currency ??= currency;
            if (m.TryGet("amount", out _))
            {
                var minor = m.Money("amount", required);
                if (minor is { } units && units != decimal.Truncate(units))
                {
                    // Minor units are whole numbers: 10.5 is not an amount Keap writes, and reading it would be a guess.
                    var message = $"{units} is not a whole number of minor units (cents).";
                    if (required)
                        m.Error("amount", message);
                    else
                        m.Warn("amount", message + " Left out.");
                    return null;
                }
                return minor is { } whole ? whole / FormatSupport.MinorUnitScale(currency) : null;
            }
            if (m.Text("formatted_amount") is { } formatted)
            {
                if (Lenient.TryDecimal(formatted, out var major))
                    return major;
                if (required)
                    m.Error("formatted_amount", $"'{formatted}' is not an amount.");
                else
                    m.Warn("formatted_amount", $"'{formatted}' is not an amount; left out.");
                return null;
            }
            if (required)
                m.Error("amount", "Is required.");
            return null;
        }
    }
}
