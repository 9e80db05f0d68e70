namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// A Shopify order, from the REST or the GraphQL Admin API (<see cref="ShopifyFields"/> says where each field is), as the
/// canonical order.
/// <list type="bullet">
/// <item>Lines: line items become product lines (a tip, marked by <c>tip_payment_gateway</c>, a fee line) and
/// shipping lines shipping lines, the order's duties (<c>original_total_duties_set</c>, after an edit
/// <c>current_total_duties_set</c>; none when <c>duties_included</c>) a fee line, its additional fees
/// (<c>original_total_additional_fees_set</c>, after an edit <c>current_…</c>) another; tax and
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
/// are what the buyer paid in. REST refund transactions are in the presentment currency: converted to shop money
/// with the order's own rate (its shop total over its presentment total); GraphQL gives their shop money.</item>
/// <item>Status: <c>financial_status</c>, or "cancelled" when <c>cancelled_at</c> is set; a cancelled order
/// counts as paid only if its financial status says so. A test order is skipped.</item>
/// </list>
/// </summary>
static class ShopifyOrderReader
{
    static readonly HashSet<string> PaidStatuses = new(StringComparer.OrdinalIgnoreCase) { "paid", "partially_refunded", "refunded" };

    public static ReadOrder Read(JsonElement element, FormatContext context, ShopifyFields f)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var problems = new ReadProblems();
        var o = new JsonFields(element, context.Zone, problems, dateOrder: context.DateOrder);

        // The GraphQL id and the REST id name the same order.
        var id = ShopifyFields.LegacyId(ShopifyFields.Text(o, f.Ids));
        if (o.Bool(f.Test))
            return ReadOrder.Skipped(id ?? "", "test order");
        if (id is null)
            FormatSupport.MissingOrderId(problems, string.Join(" or ", f.Ids));

        var financial = o.Text(f.FinancialStatus);
        if (f.EnumsInCapitals)
            financial = financial?.ToLowerInvariant();
        var status = financial;
        if (o.Text(f.CancelledAt) is not null)
        {
            o.Instant(f.CancelledAt);
            status = "cancelled";
        }

        // Read once: each reading of a bad list would warn again.
        var refunds = o.TryGet(f.Refunds, out _) ? o.Objects(f.Refunds).ToList() : null;
        // Read once too: both the units refunds took back and, after an edit, their money come from these.
        var refundLineItems = refunds?.SelectMany(r => f.Items(r, f.RefundLineItems)).ToList();
        var refundedUnits = RefundedUnits(refundLineItems, f);
        var lines = new LineReader(problems);
        var edited = false;
        foreach (var item in f.Items(o, f.LineItems, lines))
        {
            var ordered = item.LineQuantity(f.LineQuantity, lines);
            var price = item.LineAmount(f.LinePrice, lines);
            if (ordered is not { } q || price is not { } p)
                continue;
            // What edits removed: the ordered quantity less what is left and what refunds took back.
            var quantity = q;
            if (item.Money(f.LineCurrentQuantity) is { } current)
            {
                var removedByEdit = Math.Max(0, q - current - refundedUnits.GetValueOrDefault(ShopifyFields.LegacyId(item.Text(f.LineId)) ?? ""));
                quantity = q - removedByEdit;
                edited |= removedByEdit > 0;
            }
            decimal? discount = null;
            foreach (var allocation in item.Objects(f.LineDiscountAllocations))
                discount = (discount ?? 0) + (allocation.Money(f.AllocationAmount) ?? 0);
            if (discount is not > 0m)
                discount = item.Money(f.LineTotalDiscount) is > 0m and var lineDiscount ? lineDiscount : null;
            // A line marked not taxable (a gift card sold, the documented "taxable": false line) has no tax: 0, not unknown, which
            // in a tax-inclusive shop would leave every price of the order uncompared and a create call without its tax item.
            var tax = Tax(item, f) ?? (item.Flag(f.LineTaxable) == false ? 0m : null);
            // A tip is a line item carrying tip_payment_gateway ("Present only on tips"): an order item like a fee, not a product.
            var kind = f.LineTip is { } tip && item.Text(tip) is not null ? LineKind.Fee : LineKind.Product;
            lines.Add(new OrderLine(item.Text(f.LineSku), ShopifyFields.LegacyId(item.Text(f.LineProductId)), ShopifyFields.Text(item, f.LineTitle),
                quantity, p, FormatSupport.LineAmount(quantity, p, discount), kind)
            {
                Discount = discount,
                // The tax of the units still on the line.
                Tax = tax is { } t && q != 0 ? t * quantity / q : tax,
                OriginalQuantity = quantity != q ? q : null,
            });
        }
        var shippingLines = new List<OrderLine>();
        foreach (var item in f.Items(o, f.ShippingLines, lines))
        {
            if ((item.Money(f.ShippingDiscountedPrice) ?? item.LineAmount(f.ShippingPrice, lines)) is not { } price)
                continue;
            // A shipping line an order edit removed is still returned, marked is_removed (API 2024-04): it leaves the order as
            // an edit's removed units do (quantity 0, the first quantity kept).
            var removed = item.Bool(f.ShippingRemoved);
            edited |= removed;
            shippingLines.Add(new OrderLine(item.Text(f.ShippingCode), null, item.Text(f.ShippingTitle) ?? "Shipping", removed ? 0 : 1, price, removed ? 0 : price, LineKind.Shipping)
            {
                Tax = removed ? null : Tax(item, f),
                OriginalQuantity = removed ? 1 : null,
            });
        }
        // Duties ("import taxes charged by customs authorities") are part of the total beside the lines, tax and shipping: an
        // order item of their own, as a fee, unless the prices include them (duties_included). An edited order's total is
        // current_total_price, so its duties are the current ones ("after any returns or modifications"); otherwise the
        // original ones, as total_price is before refunds.
        var duties = o.Flag(f.DutiesIncluded) == true ? null
            : edited ? o.Money(f.CurrentDuties) ?? o.Money(f.OriginalDuties)
            : o.Money(f.OriginalDuties) ?? o.Money(f.CurrentDuties);
        // Additional fees (original_total_additional_fees_set; current_… "reflect order edits, returns, and refunds") are charged
        // beside the lines as duties are: an order item of their own in Keap, a fee line here, never left out of the total's causes.
        var fees = edited ? o.Money(f.CurrentAdditionalFees) ?? o.Money(f.OriginalAdditionalFees)
            : o.Money(f.OriginalAdditionalFees) ?? o.Money(f.CurrentAdditionalFees);
        List<OrderLine>? chargeLines = null;
        if (duties is > 0m and var d)
            (chargeLines = new(2)).Add(new OrderLine(null, null, "Duties", 1, d, d, LineKind.Fee));
        if (fees is > 0m and var fee)
            (chargeLines ??= new(1)).Add(new OrderLine(null, null, "Additional fees", 1, fee, fee, LineKind.Fee));
        // What the buyer paid for shipping: the shipping lines after their discounts. total_shipping_price_set is before
        // them ("excluding discounts and returns"), so only an order without shipping lines falls back to it.
        var shipping = shippingLines.Count > 0 ? shippingLines.Sum(l => l.Quantity * l.UnitPrice) : o.Money(f.TotalShipping);

        var shopTotal = o.Money(f.TotalPrice, required: true) ?? 0;
        var presentmentCurrency = o.Text(f.PresentmentCurrency)?.ToUpperInvariant();
        var currency = o.Text(f.Currency)?.ToUpperInvariant();
        var presentmentTotal = o.Money(f.PresentmentTotalPrice);
        var rate = presentmentTotal is > 0m and var pt && !string.Equals(presentmentCurrency, currency, StringComparison.Ordinal) ? shopTotal / pt : 1m;
        var refunded = (f.TotalRefunded is { } totalRefunded ? o.Money(totalRefunded) : null) ?? Refunded(refunds, rate, f);
        var total = shopTotal;
        if (edited && o.Money(f.CurrentTotalPrice) is { } currentTotal)
        {
            total = currentTotal + RefundedLineMoney(refunds, refundLineItems, f);
            if (presentmentTotal is not null)
                presentmentTotal = Math.Round(total / rate, 2);
        }

        var (subtotal, totalTax) = (o.Money(f.SubtotalPrice), o.Money(f.TotalTax));
        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = ShopifyFields.Text(o, f.OrderNumber),
            CustomerEmail = ShopifyFields.Text(o, f.Email),
            CustomerName = FormatSupport.PersonName(o.Text(f.CustomerFirstName), o.Text(f.CustomerLastName))
                ?? FormatSupport.PersonName(o.Text(f.BillingFirstName), o.Text(f.BillingLastName))
                ?? o.Text(f.BillingName),
            // processed_at is the order's date ("the date that appears on your orders"; an app importing orders sets it to
            // when they were placed); created_at is when the record was made in Shopify.
            OrderDate = o.Instant(f.ProcessedAt, strict: true) ?? o.Instant(f.CreatedAt, strict: true),
            UpdatedAt = o.Instant(f.UpdatedAt),
            Currency = currency,
            Total = total,
            Subtotal = subtotal,
            Tax = totalTax,
            Shipping = shipping,
            Discount = o.Money(f.TotalDiscounts),
            AmountPaid = AmountPaid(o, financial, total, f),
            AmountRefunded = refunded,
            Status = status,
            Platform = "shopify",
            TaxesIncluded = o.Flag(f.TaxesIncluded) ?? FormatSupport.TaxesIncludedByAmounts(subtotal, shipping, totalTax, shopTotal),
            PresentmentCurrency = presentmentCurrency is not null && presentmentCurrency != currency ? presentmentCurrency : null,
            PresentmentTotal = presentmentCurrency is not null && presentmentCurrency != currency ? presentmentTotal : null,
            Lines = lines.IsUnreadable ? [] : [.. lines.Lines, .. shippingLines, .. chargeLines ?? []],
        };
        return new ReadOrder(order, problems);
    }

    /// <summary>A line's tax (line items and shipping lines alike): the sum of its tax lines; null when it lists none.</summary>
    static decimal? Tax(JsonFields line, ShopifyFields f)
    {
        decimal? tax = null;
        foreach (var taxLine in line.Objects(f.TaxLines))
            tax = (tax ?? 0) + (taxLine.Money(f.TaxLinePrice) ?? 0);
        return tax;
    }

    static decimal? AmountPaid(JsonFields o, string? financial, decimal total, ShopifyFields f)
    {
        if (financial is not null && PaidStatuses.Contains(financial))
            return total;
        // Partially paid orders say what is still owed.
        if (string.Equals(financial, "partially_paid", StringComparison.OrdinalIgnoreCase) && o.Money(f.TotalOutstanding) is { } outstanding)
            return total - outstanding;
        return financial is null ? null : 0;
    }

    /// <summary>Units each line item got back through refunds (refund line items by their line item's id).</summary>
    static Dictionary<string, decimal> RefundedUnits(List<JsonFields>? refundLineItems, ShopifyFields f)
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var item in refundLineItems ?? [])
            if (ShopifyFields.LegacyId(ShopifyFields.Text(item, f.RefundLineItemLineId)) is { } lineId)
                units[lineId] = units.GetValueOrDefault(lineId) + (item.Money(f.RefundLineItemQuantity) ?? 0);
        return units;
    }

    /// <summary>
    /// The shop money refunds of lines and shipping took off <c>current_total_price</c>: refund line items' subtotal and tax,
    /// refunded shipping (<c>refund_shipping_lines</c>, or before API 2024-10 the <c>shipping_refund</c> order adjustment) and
    /// the shipping's tax, which in REST only the <c>shipping_refund</c> adjustment gives ("taxes that are added to amount, such as
    /// applicable shipping taxes added to a shipping refund"; adjustments are negative) and in GraphQL the refund shipping line.
    /// </summary>
    static decimal RefundedLineMoney(List<JsonFields>? refunds, List<JsonFields>? refundLineItems, ShopifyFields f)
    {
        decimal sum = 0;
        foreach (var item in refundLineItems ?? [])
            sum += (ShopifyFields.Money(item, f.RefundLineItemSubtotal) ?? 0) + (ShopifyFields.Money(item, f.RefundLineItemTax) ?? 0);
        foreach (var refund in refunds ?? [])
        {
            var shippingLines = f.Items(refund, f.RefundShippingLines).ToList();
            foreach (var shipping in shippingLines)
                sum += (shipping.Money(f.RefundShippingSubtotal) ?? 0) + (f.RefundShippingTax is { } taxPath ? shipping.Money(taxPath) ?? 0 : 0);
            foreach (var adjustment in f.Items(refund, f.OrderAdjustments))
            {
                if (!string.Equals(adjustment.Text(f.AdjustmentKind), "shipping_refund", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (shippingLines.Count == 0)
                    sum -= ShopifyFields.Money(adjustment, f.AdjustmentAmount) ?? 0;
                if (shippingLines.Count == 0 || f.RefundShippingTax is null)
                    sum -= ShopifyFields.Money(adjustment, f.AdjustmentTax) ?? 0;
            }
        }
        return sum;
    }

    /// <summary>
    /// Successful refund transactions, in shop money (<paramref name="rate"/> converts the presentment amounts
    /// REST writes them in). An order without refunds, or whose refunds list no transactions (older API
    /// versions show only refund line items), says nothing: null, not 0. An unreadable amount makes it unknown.
    /// </summary>
    static decimal? Refunded(List<JsonFields>? refunds, decimal rate, ShopifyFields f)
    {
        if (refunds is null)
            return null;
        decimal? sum = 0;
        var sawTransactions = false;
        foreach (var refund in refunds)
        {
            foreach (var transaction in f.Items(refund, f.Transactions))
            {
                sawTransactions = true;
                if (!string.Equals(transaction.Text(f.TransactionKind), "refund", StringComparison.OrdinalIgnoreCase))
                    continue;
                var status = transaction.Text(f.TransactionStatus);
                if (status is not null && !string.Equals(status, "success", StringComparison.OrdinalIgnoreCase))
                    continue;
                sum += (f.TransactionShopAmount is { } shopPath ? transaction.Money(shopPath) : null)
                    ?? (transaction.Money(f.TransactionAmount) is { } amount ? Math.Round(amount * rate, 2) : null);
            }
        }
        return refunds.Count > 0 && !sawTransactions ? null : sum;
    }
}
