namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Shopify REST Admin order objects (<c>GET /admin/api/…/orders.json</c>, order webhooks).
/// <list type="bullet">
/// <item>Lines: <c>line_items</c> become product lines (a tip, marked by <c>tip_payment_gateway</c>, a fee line) and
/// <c>shipping_lines</c> shipping lines, the order's duties (<c>original_total_duties_set</c>, after an edit
/// <c>current_total_duties_set</c>; none when <c>duties_included</c>) a fee line; tax and
/// discounts stay order-level amounts (Shopify spreads them over lines, so lines of their own would double
/// count), and each line keeps its own share: <c>discount_allocations</c> as its discount, <c>tax_lines</c>
/// as its tax. <c>price</c> is before discounts and includes tax when the order says <c>taxes_included</c>.</item>
/// <item>Edits: a line's <c>current_quantity</c> is its quantity less what edits and refunds removed. Refunded
/// units (<c>refunds[].refund_line_items</c>) stay on the line — the refund is the order's payment state, and
/// Keap cannot take it — while units an edit removed leave it (<see cref="OrderLine.OriginalQuantity"/> keeps
/// the first quantity). An edited order's total is <c>current_total_price</c> with its refunds added back, so
/// it is the order after edits and before refunds, like <c>total_price</c> of an unedited one. A shipping line an edit
/// removed (<c>is_removed</c>) leaves the order the same way: quantity 0, its first quantity kept.</item>
/// <item>Money: <c>currency</c> is the shop's; <c>presentment_currency</c> and <c>total_price_set.presentment_money</c>
/// are what the buyer paid in. Refund transactions are in the presentment currency: converted to shop money
/// with the order's own rate (its shop total over its presentment total).</item>
/// <item>Status: <c>financial_status</c>, or "cancelled" when <c>cancelled_at</c> is set; a cancelled order
/// counts as paid only if its financial status says so.</item>
/// </list>
/// </summary>
public sealed class ShopifyFormat : IJsonOrderFormat
{
    const string GidPrefix = "gid://shopify/Order/";

    static readonly HashSet<string> PaidStatuses = new(StringComparer.OrdinalIgnoreCase) { "paid", "partially_refunded", "refunded" };

    public string Name => "shopify";

    public string OrderIdField => "id";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders", "order"];

    /// <summary>REST Admin order fields (DOMAIN.md, "Shopify"); <c>line_items</c> and <c>total_tax</c> are WooCommerce's too.</summary>
    public IReadOnlyList<string> Signature { get; } =
    [
        "line_items", "total_price", "subtotal_price", "total_tax", "total_discounts", "financial_status", "fulfillment_status", "order_number",
        "processed_at", "created_at", "current_total_price", "total_line_items_price", "admin_graphql_api_id", "taxes_included",
        "presentment_currency", "contact_email", "total_shipping_price_set", "cancelled_at",
    ];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var problems = new ReadProblems();
        var o = new JsonFields(element, context.Zone, problems, dateOrder: context.DateOrder);

        var id = o.Text(OrderIdField) ?? o.Text("admin_graphql_api_id");
        // The GraphQL id and the REST id name the same order.
        if (id is not null && id.StartsWith(GidPrefix, StringComparison.Ordinal))
            id = id[GidPrefix.Length..];
        if (o.Bool("test"))
            return ReadOrder.Skipped(id ?? "", "test order");
        if (id is null)
            FormatSupport.MissingOrderId(problems, "id");

        var financial = o.Text("financial_status");
        var status = financial;
        if (o.Text("cancelled_at") is not null)
        {
            o.Instant("cancelled_at");
            status = "cancelled";
        }

        // Read once: each reading of a bad list would warn again.
        var refunds = o.TryGet("refunds", out _) ? o.Objects("refunds").ToList() : null;
        // Read once too: both the units refunds took back and, after an edit, their money come from these.
        var refundLineItems = refunds?.SelectMany(r => r.Objects("refund_line_items")).ToList();
        var refundedUnits = RefundedUnits(refundLineItems);
        var lines = new LineReader(problems);
        var edited = false;
        foreach (var item in o.Objects("line_items", lines))
        {
            var ordered = item.LineQuantity("quantity", lines);
            var price = item.LineAmount("price", lines);
            if (ordered is not { } q || price is not { } p)
                continue;
            // What edits removed: the ordered quantity less what is left and what refunds took back.
            var quantity = q;
            if (item.Money("current_quantity") is { } current)
            {
                var removedByEdit = Math.Max(0, q - current - refundedUnits.GetValueOrDefault(item.Text("id") ?? ""));
                quantity = q - removedByEdit;
                edited |= removedByEdit > 0;
            }
            decimal? discount = null;
            foreach (var allocation in item.Objects("discount_allocations"))
                discount = (discount ?? 0) + (allocation.Money("amount") ?? 0);
            if (discount is not > 0m)
                discount = item.Money("total_discount") is > 0m and var lineDiscount ? lineDiscount : null;
            // A line marked not taxable (a gift card sold, the documented "taxable": false line) has no tax: 0, not unknown, which
            // in a tax-inclusive shop would leave every price of the order uncompared and a create call without its tax item.
            var tax = Tax(item) ?? (item.Flag("taxable") == false ? 0m : null);
            // A tip is a line item carrying tip_payment_gateway ("Present only on tips"): an order item like a fee, not a product.
            var kind = item.Text("tip_payment_gateway") is not null ? LineKind.Fee : LineKind.Product;
            lines.Add(new OrderLine(item.Text("sku"), item.Text("product_id"), item.Text("title") ?? item.Text("name"), quantity, p,
                FormatSupport.LineAmount(quantity, p, discount), kind)
            {
                Discount = discount,
                // The tax of the units still on the line.
                Tax = tax is { } t && q != 0 ? t * quantity / q : tax,
                OriginalQuantity = quantity != q ? q : null,
            });
        }
        var shippingLines = new List<OrderLine>();
        foreach (var item in o.Objects("shipping_lines", lines))
        {
            if ((item.Money("discounted_price") ?? item.LineAmount("price", lines)) is not { } price)
                continue;
            // A shipping line an order edit removed is still returned, marked is_removed (API 2024-04): it leaves the order as
            // an edit's removed units do (quantity 0, the first quantity kept).
            var removed = item.Bool("is_removed");
            edited |= removed;
            shippingLines.Add(new OrderLine(item.Text("code"), null, item.Text("title") ?? "Shipping", removed ? 0 : 1, price, removed ? 0 : price, LineKind.Shipping)
            {
                Tax = removed ? null : Tax(item),
                OriginalQuantity = removed ? 1 : null,
            });
        }
        // Duties ("import taxes charged by customs authorities") are part of the total beside the lines, tax and shipping: an
        // order item of their own, as a fee, unless the prices include them (duties_included). An edited order's total is
        // current_total_price, so its duties are the current ones ("after any returns or modifications"); otherwise the
        // original ones, as total_price is before refunds.
        var duties = o.Flag("duties_included") == true ? null
            : edited ? o.Money("current_total_duties_set.shop_money.amount") ?? o.Money("original_total_duties_set.shop_money.amount")
            : o.Money("original_total_duties_set.shop_money.amount") ?? o.Money("current_total_duties_set.shop_money.amount");
        List<OrderLine> dutyLines = duties is > 0m and var d ? [new OrderLine(null, null, "Duties", 1, d, d, LineKind.Fee)] : [];
        // What the buyer paid for shipping: the shipping lines after their discounts. total_shipping_price_set is before
        // them ("excluding discounts and returns"), so only an order without shipping lines falls back to it.
        var shipping = shippingLines.Count > 0 ? shippingLines.Sum(l => l.Quantity * l.UnitPrice) : o.Money("total_shipping_price_set.shop_money.amount");

        var shopTotal = o.Money("total_price", required: true) ?? 0;
        var presentmentCurrency = o.Text("presentment_currency")?.ToUpperInvariant();
        var currency = o.Text("currency")?.ToUpperInvariant();
        var presentmentTotal = o.Money("total_price_set.presentment_money.amount");
        var rate = presentmentTotal is > 0m and var pt && !string.Equals(presentmentCurrency, currency, StringComparison.Ordinal) ? shopTotal / pt : 1m;
        var refunded = Refunded(refunds, rate);
        var total = shopTotal;
        if (edited && o.Money("current_total_price") is { } currentTotal)
        {
            total = currentTotal + RefundedLineMoney(refunds, refundLineItems);
            if (presentmentTotal is not null)
                presentmentTotal = Math.Round(total / rate, 2);
        }

        var (subtotal, totalTax) = (o.Money("subtotal_price"), o.Money("total_tax"));
        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = o.Text("name") ?? o.Text("order_number"),
            CustomerEmail = o.Text("email") ?? o.Text("contact_email") ?? o.Text("customer.email"),
            CustomerName = FormatSupport.PersonName(o.Text("customer.first_name"), o.Text("customer.last_name"))
                ?? FormatSupport.PersonName(o.Text("billing_address.first_name"), o.Text("billing_address.last_name"))
                ?? o.Text("billing_address.name"),
            // processed_at is the order's date ("the date that appears on your orders"; an app importing orders sets it to
            // when they were placed); created_at is when the record was made in Shopify.
            OrderDate = o.Instant("processed_at", strict: true) ?? o.Instant("created_at", strict: true),
            UpdatedAt = o.Instant("updated_at"),
            Currency = currency,
            Total = total,
            Subtotal = subtotal,
            Tax = totalTax,
            Shipping = shipping,
            Discount = o.Money("total_discounts"),
            AmountPaid = AmountPaid(o, financial, total),
            AmountRefunded = refunded,
            Status = status,
            Platform = "shopify",
            TaxesIncluded = o.Flag("taxes_included") ?? FormatSupport.TaxesIncludedByAmounts(subtotal, shipping, totalTax, shopTotal),
            PresentmentCurrency = presentmentCurrency is not null && presentmentCurrency != currency ? presentmentCurrency : null,
            PresentmentTotal = presentmentCurrency is not null && presentmentCurrency != currency ? presentmentTotal : null,
            Lines = lines.IsUnreadable ? [] : [.. lines.Lines, .. shippingLines, .. dutyLines],
        };
        return new ReadOrder(order, problems);
    }

    /// <summary>A line's tax (line items and shipping lines alike): the sum of its <c>tax_lines</c>; null when it lists none.</summary>
    static decimal? Tax(JsonFields line)
    {
        decimal? tax = null;
        foreach (var taxLine in line.Objects("tax_lines"))
            tax = (tax ?? 0) + (taxLine.Money("price") ?? 0);
        return tax;
    }

    static decimal? AmountPaid(JsonFields o, string? financial, decimal total)
    {
        if (financial is not null && PaidStatuses.Contains(financial))
            return total;
        // Partially paid orders say what is still owed.
        if (string.Equals(financial, "partially_paid", StringComparison.OrdinalIgnoreCase) && o.Money("total_outstanding") is { } outstanding)
            return total - outstanding;
        return financial is null ? null : 0;
    }

    /// <summary>Units each line item got back through refunds (<c>refund_line_items</c> by <c>line_item_id</c>).</summary>
    static Dictionary<string, decimal> RefundedUnits(List<JsonFields>? refundLineItems)
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var item in refundLineItems ?? [])
            if ((item.Text("line_item_id") ?? item.Text("line_item.id")) is { } lineId)
                units[lineId] = units.GetValueOrDefault(lineId) + (item.Money("quantity") ?? 0);
        return units;
    }

    /// <summary>
    /// The shop money refunds of lines and shipping took off <c>current_total_price</c>: refund line items' subtotal and tax,
    /// refunded shipping (<c>refund_shipping_lines</c>, or before API 2024-10 the <c>shipping_refund</c> order adjustment) and
    /// the shipping's tax, which only the <c>shipping_refund</c> adjustment gives ("taxes that are added to amount, such as
    /// applicable shipping taxes added to a shipping refund"; adjustments are negative).
    /// </summary>
    static decimal RefundedLineMoney(List<JsonFields>? refunds, List<JsonFields>? refundLineItems)
    {
        decimal sum = 0;
        foreach (var item in refundLineItems ?? [])
            sum += (item.Money("subtotal_set.shop_money.amount") ?? item.Money("subtotal") ?? 0) + (item.Money("total_tax_set.shop_money.amount") ?? item.Money("total_tax") ?? 0);
        foreach (var refund in refunds ?? [])
        {
            var shippingLines = refund.Objects("refund_shipping_lines").ToList();
            foreach (var shipping in shippingLines)
                sum += shipping.Money("subtotal_amount_set.shop_money.amount") ?? 0;
            foreach (var adjustment in refund.Objects("order_adjustments"))
            {
                if (!string.Equals(adjustment.Text("kind"), "shipping_refund", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (shippingLines.Count == 0)
                    sum -= adjustment.Money("amount_set.shop_money.amount") ?? adjustment.Money("amount") ?? 0;
                sum -= adjustment.Money("tax_amount_set.shop_money.amount") ?? adjustment.Money("tax_amount") ?? 0;
            }
        }
        return sum;
    }

    /// <summary>
    /// Successful refund transactions, in shop money (<paramref name="rate"/> converts the presentment amounts
    /// they are written in). An order without <c>refunds</c>, or whose refunds list no transactions (older API
    /// versions show only refund line items), says nothing: null, not 0. An unreadable amount makes it unknown.
    /// </summary>
    static decimal? Refunded(List<JsonFields>? refunds, decimal rate)
    {
        if (refunds is null)
            return null;
        decimal? sum = 0;
        var sawTransactions = false;
        foreach (var refund in refunds)
        {
            foreach (var transaction in refund.Objects("transactions"))
            {
                sawTransactions = true;
                if (!string.Equals(transaction.Text("kind"), "refund", StringComparison.OrdinalIgnoreCase))
                    continue;
                var status = transaction.Text("status");
                if (status is not null && !string.Equals(status, "success", StringComparison.OrdinalIgnoreCase))
                    continue;
                sum += transaction.Money("amount") is { } amount ? Math.Round(amount * rate, 2) : null;
            }
        }
        return refunds.Count > 0 && !sawTransactions ? null : sum;
    }
}
