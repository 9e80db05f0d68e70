namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// BigCommerce Orders V2 objects (<c>GET /stores/{hash}/v2/orders</c>): RFC 2822 dates, 4-decimal money
/// strings. The order id is also its order number. <c>products</c> is an array when the caller expanded
/// it and a <c>{url, resource}</c> reference otherwise (the list response): a reference gives no lines,
/// so lines are not compared. Lines are read net of tax (<c>price_ex_tax</c>), with the tax between
/// <c>price_inc_tax</c> and it as the line's tax and <c>applied_discounts</c> as its discount. Shipping is
/// an order amount only (V2 has no shipping line objects on the order); handling and gift wrapping, order amounts
/// too, and the custom <c>fees</c> become fee lines beside the products. Declined (6) and Incomplete (0) orders were never
/// paid; an archived order (<c>is_deleted</c>) is <see cref="StatusMap.BigCommerceArchived"/>.
/// </summary>
public sealed class BigCommerceFormat : IJsonOrderFormat
{
    /// <summary>BigCommerce's fixed order statuses by <c>status_id</c>.</summary>
    public static IReadOnlyDictionary<int, string> StatusNames { get; } = new Dictionary<int, string>
    {
        [0] = "Incomplete", [1] = "Pending", [2] = "Shipped", [3] = "Partially Shipped", [4] = "Refunded",
        [5] = "Cancelled", [6] = "Declined", [7] = "Awaiting Payment", [8] = "Awaiting Pickup",
        [9] = "Awaiting Shipment", [10] = "Completed", [11] = "Awaiting Fulfillment",
        [12] = "Manual Verification Required", [13] = "Disputed", [14] = "Partially Refunded",
    };

    // Statuses a store only reaches once the payment was taken (Refunded ones were paid first).
    static readonly HashSet<int> PaidStatusIds = [2, 3, 4, 8, 9, 10, 11, 14];

    static readonly HashSet<string> PaidPaymentStatuses = new(StringComparer.OrdinalIgnoreCase)
        { "captured", "paid", "partially refunded", "refunded" };

    // Approved but not yet settled: the order's status says whether the store counts it as paid.
    static readonly HashSet<string> ApprovedPaymentStatuses = new(StringComparer.OrdinalIgnoreCase) { "authorized", "capture pending" };

    public string Name => "bigcommerce";

    public string OrderIdField => "id";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders"];

    /// <summary>V2 order fields (DOMAIN.md, "BigCommerce"); <c>date_created</c> is WooCommerce's too.</summary>
    public IReadOnlyList<string> Signature { get; } =
    [
        "date_created", "status_id", "total_inc_tax", "total_ex_tax", "subtotal_inc_tax", "subtotal_ex_tax", "shipping_cost_inc_tax",
        "billing_address", "items_total", "refunded_amount", "default_currency_code", "products", "is_deleted", "geoip_country",
    ];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var problems = new ReadProblems();
        var o = new JsonFields(element, context.Zone, problems, dateOrder: context.DateOrder);

        var id = o.Text(OrderIdField);
        if (id is null)
            FormatSupport.MissingOrderId(problems, "id");
        var total = o.Money("total_inc_tax", required: true) ?? 0;

        int? statusId = null;
        if (o.Text("status_id") is { } statusIdText)
        {
            if (int.TryParse(statusIdText, out var parsed))
                statusId = parsed;
            else
                o.Warn("status_id", $"'{statusIdText}' is not a BigCommerce status id; left out.");
        }
        var status = o.Text("status");
        if (status is null && statusId is { } sid)
        {
            if (StatusNames.TryGetValue(sid, out var name))
                status = name;
            else
                o.Warn("status_id", $"{sid} is not a BigCommerce status id (0–14); left out.");
        }

        // An archived order: is_deleted "has the same result as the DELETE an order request". The merchant deleted it, as
        // WooCommerce's trash: not expected in Keap, paid or not (its money is still read from status_id and payment_status).
        if (o.Bool("is_deleted"))
            status = StatusMap.BigCommerceArchived;

        var discount = FormatSupport.Sum([o.Money("discount_amount"), o.Money("coupon_discount")]);
        var shown = o.Text("currency_code")?.ToUpperInvariant();
        var currency = o.Text("default_currency_code")?.ToUpperInvariant() ?? shown;
        var presentment = shown is not null && shown != currency ? shown : null;

        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = id,
            CustomerEmail = o.Text("billing_address.email"),
            CustomerName = FormatSupport.PersonName(o.Text("billing_address.first_name"), o.Text("billing_address.last_name")),
            OrderDate = o.Instant("date_created", strict: true),
            UpdatedAt = o.Instant("date_modified"),
            // The order's amounts are in its transactional currency (default_currency_code); currency_code is the
            // currency the shopper saw, at currency_exchange_rate to it.
            Currency = currency,
            PresentmentCurrency = presentment,
            PresentmentTotal = presentment is null ? null : o.Money("currency_exchange_rate") is > 0m and var rate ? Math.Round(total * rate, 2) : null,
            Total = total,
            Subtotal = o.Money("subtotal_ex_tax"),
            Tax = o.Money("total_tax"),
            // Net of tax like the subtotal: the shipping's tax is in total_tax.
            Shipping = o.Money("shipping_cost_ex_tax") ?? o.Money("shipping_cost_inc_tax"),
            Discount = discount,
            AmountPaid = AmountPaid(o, statusId, total),
            AmountRefunded = Refunded(o, statusId, total),
            Status = status,
            PaymentReference = o.Text("payment_provider_id"),
            Platform = "bigcommerce",
            Lines = ReadLines(o, out var taxesIncluded),
            TaxesIncluded = taxesIncluded,
        };
        return new ReadOrder(order, problems);
    }

    /// <summary>
    /// <c>refunded_amount</c> is documented both as "always returns 0" and as the amount refunded so far: a 0
    /// on a refunded order says nothing (fully refunded: the total; partially: unknown). The order is refunded when
    /// its status says so (4 Refunded, 14 Partially Refunded) or its <c>payment_status</c> does (<c>refunded</c>,
    /// <c>partially refunded</c>): an order cancelled after its payment was given back keeps status 5.
    /// </summary>
    static decimal? Refunded(JsonFields o, int? statusId, decimal total)
    {
        var refunded = o.Money("refunded_amount");
        if (refunded is > 0m)
            return refunded;
        var payment = o.Text("payment_status");
        if (statusId == 4 || string.Equals(payment, "refunded", StringComparison.OrdinalIgnoreCase))
            return total;
        if (statusId == 14 || string.Equals(payment, "partially refunded", StringComparison.OrdinalIgnoreCase))
            return null;
        return refunded;
    }

    static decimal? AmountPaid(JsonFields o, int? statusId, decimal total)
    {
        // An authorized payment is taken at fulfilment, and one in "capture pending" is being taken; BigCommerce moves such an
        // order to a status that says the payment was confirmed (11 Awaiting Fulfillment: "payment has been confirmed"), and
        // that status decides.
        if (o.Text("payment_status") is { } paymentStatus && !(ApprovedPaymentStatuses.Contains(paymentStatus) && statusId is not null))
            return PaidPaymentStatuses.Contains(paymentStatus) ? total : 0;
        if (statusId is { } sid)
            return PaidStatusIds.Contains(sid) ? total : 0;
        return null;
    }

    /// <summary>
    /// The products, and the order's handling, gift-wrapping and custom fee charges as fee lines (V2 gives them as order amounts
    /// only, part of <c>total_inc_tax</c>; a Keap copy carries them as items). None when the products were not read:
    /// then lines are not compared.
    /// </summary>
    static List<OrderLine> ReadLines(JsonFields o, out bool? taxesIncluded)
    {
        var lines = ReadProducts(o, out taxesIncluded);
        if (lines.Count == 0)
            return lines;
        var included = taxesIncluded;
        // A charge on the products' basis: net of tax unless they came tax-inclusive only, the difference its tax; a
        // negative one is a discount.
        void Charge(string name, decimal? exTax, decimal? incTax, decimal? tax = null)
        {
            if ((included == true ? incTax ?? exTax : exTax ?? incTax) is { } amount && amount != 0m)
                lines.Add(new OrderLine(null, null, name, 1, amount, amount, amount < 0 ? LineKind.Discount : LineKind.Fee) { Tax = tax ?? incTax - exTax });
        }
        Charge("Handling", o.Money("handling_cost_ex_tax"), o.Money("handling_cost_inc_tax"));
        Charge("Gift wrapping", o.Money("wrapping_cost_ex_tax"), o.Money("wrapping_cost_inc_tax"));
        // Custom fees (package protection, surcharges), part of total_inc_tax like handling, when embedded as an array;
        // the response writes the net cost cost_exc_tax where the field table names it cost_ex_tax.
        if (o.TryGet("fees", out var fees) && fees.ValueKind == JsonValueKind.Array)
        {
            foreach (var fee in o.Objects("fees"))
            {
                Charge(fee.Text("display_name_customer") ?? fee.Text("display_name_merchant") ?? "Fee",
                    fee.Money("cost_ex_tax") ?? fee.Money("cost_exc_tax"), fee.Money("cost_inc_tax"), fee.Money("cost_tax"));
            }
        }
        return lines;
    }

    static List<OrderLine> ReadProducts(JsonFields o, out bool? taxesIncluded)
    {
        taxesIncluded = null;
        var lines = new LineReader(o.Problems);
        // A {url, resource} reference: the products were not fetched with the order.
        if (!o.TryGet("products", out var products) || products.ValueKind == JsonValueKind.Object)
            return lines.Lines;
        foreach (var item in o.Objects("products", lines))
        {
            var quantity = item.LineQuantity("quantity", lines);
            var exTax = item.Money("price_ex_tax");
            var incTax = item.Money("price_inc_tax");
            var basePrice = exTax is null ? item.Money("base_price") : null;
            // Net of tax where the product says it; else the tax-inclusive price, and the order says so.
            var price = exTax ?? basePrice ?? incTax;
            if (price is null)
                lines.Unreadable(item.PathOf("price_ex_tax"), "Is missing (and so are base_price and price_inc_tax).");
            if (quantity is not { } q || price is not { } p)
                continue;
            if (exTax is null && incTax is not null && basePrice is null)
                taxesIncluded = true;
            else
                taxesIncluded ??= false;
            decimal? discount = null;
            foreach (var applied in item.Objects("applied_discounts"))
                discount = (discount ?? 0) + (applied.Money("amount") ?? 0);
            lines.Add(new OrderLine(item.Text("sku"), item.Text("product_id"), item.Text("name"), q, p, item.Money("total_ex_tax") ?? q * p)
            {
                Tax = exTax is { } ex && incTax is { } inc ? (inc - ex) * q : null,
                Discount = discount,
            });
        }
        return lines.Lines;
    }
}
