namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// WooCommerce REST API v3 order objects (<c>GET /wp-json/wc/v3/orders</c>, order webhooks).
/// <c>date_created_gmt</c> is UTC written without an offset, so it is read as UTC; <c>date_created</c>
/// (site-local, no offset) is only the fallback and is read in <see cref="FormatContext.Zone"/>.
/// Lines: <c>line_items</c> → product, <c>shipping_lines</c> → shipping, <c>fee_lines</c> → fee.
/// A line item's <c>price</c> is after coupons (<c>total</c> / quantity) and always net of tax, whatever
/// <c>prices_include_tax</c> says about how the shop entered prices; so the unit price is taken from
/// <c>subtotal</c> (before coupons), the coupon share is the line's discount and <c>total_tax</c> its tax; shipping
/// and fee lines likewise keep their <c>total</c> net and their <c>total_tax</c> as their tax.
/// </summary>
public sealed class WooCommerceFormat : IJsonOrderFormat
{
    static readonly HashSet<string> PaidStatuses = new(StringComparer.OrdinalIgnoreCase) { "processing", "completed", "refunded" };

    public string Name => "woocommerce";

    public string OrderIdField => "id";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders"];

    /// <summary>REST v3 order fields (DOMAIN.md, "WooCommerce"); not <c>shipping</c>, which canonical orders have as money.</summary>
    public IReadOnlyList<string> Signature { get; } =
    [
        "line_items", "billing", "date_created", "date_created_gmt", "date_paid", "date_completed", "prices_include_tax", "discount_total",
        "shipping_total", "cart_tax", "total_tax", "shipping_lines", "fee_lines", "coupon_lines", "order_key", "payment_method_title", "created_via",
        "currency_symbol",
    ];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var problems = new ReadProblems();
        var o = new JsonFields(element, context.Zone, problems, dateOrder: context.DateOrder);
        var gmt = new JsonFields(element, TimeZoneInfo.Utc, problems, dateOrder: context.DateOrder);

        var id = o.Text(OrderIdField);
        if (id is null)
            FormatSupport.MissingOrderId(problems, "id");
        var total = o.Money("total", required: true) ?? 0;
        // WooCommerce Gift Cards takes the cards used off the order's total (set_total(total - gift cards); its admin shows the
        // "Order Total (before gift cards)") and lists them as gift_cards [{id, code, amount}]. A gift card pays for the order, as
        // Shopify's and BigCommerce's do, whose totals keep the whole price: added back, so a Keap copy at the price agrees.
        if (o.TryGet("gift_cards", out _))
        {
            foreach (var card in o.Objects("gift_cards"))
                total += card.Money("amount") ?? 0;
        }

        var lines = new LineReader(problems);
        var subtotals = new List<decimal?>();
        foreach (var item in o.Objects("line_items", lines))
        {
            var productId = item.Text("product_id") is { } p && p != "0" ? p : item.Text("variation_id");
            var quantity = item.LineQuantity("quantity", lines);
            // Hand-made payloads may give the unit price alone.
            var lineTotal = item.TryGet("total", out _) || !item.TryGet("price", out _) ? item.LineAmount("total", lines) : item.LineAmount("price", lines) * quantity;
            var subtotal = item.Money("subtotal");
            subtotals.Add(subtotal ?? lineTotal);
            if (quantity is not { } q || lineTotal is not { } t)
                continue;
            // Before coupons: the subtotal; without it, the price after them (then the discount is unknown).
            var before = subtotal ?? t;
            lines.Add(new OrderLine(item.Text("sku"), productId, item.Text("name"), q, q == 0 ? 0 : before / q, t)
            {
                Discount = subtotal is { } st && st != t ? st - t : null,
                Tax = item.Money("total_tax"),
            });
        }
        // Shipping and fee lines are net of tax too, with their own total_tax beside them (a taxed fee in a shop that
        // enters prices with tax is 4.17 + 0.83, not 5.00): kept as the line's tax, as for the products.
        foreach (var item in o.Objects("shipping_lines", lines))
        {
            if (item.LineAmount("total", lines) is { } amount)
                lines.Add(new OrderLine(item.Text("method_id"), null, item.Text("method_title") ?? "Shipping", 1, amount, amount, LineKind.Shipping) { Tax = item.Money("total_tax") });
        }
        // A negative fee is how WooCommerce (and its plugins: loyalty points, "pay by bank" reductions) gives a discount.
        decimal feeDiscounts = 0;
        foreach (var item in o.Objects("fee_lines", lines))
        {
            if (item.LineAmount("total", lines) is { } amount)
            {
                lines.Add(new OrderLine(null, null, item.Text("name") ?? "Fee", 1, amount, amount, amount < 0 ? LineKind.Discount : LineKind.Fee) { Tax = item.Money("total_tax") });
                feeDiscounts += Math.Min(0, amount);
            }
        }

        // Refunds are listed with negative totals; one that cannot be read leaves the refunded amount unknown, not smaller.
        decimal? refunded = null;
        if (o.TryGet("refunds", out _))
        {
            refunded = 0;
            foreach (var refund in o.Objects("refunds"))
            {
                var amount = refund.Money("total") ?? refund.Money("amount");
                if (amount is null && !refund.TryGet("total", out _) && !refund.TryGet("amount", out _))
                    refund.Warn("total", "Is missing; the order's refunded amount is left out.");
                refunded += amount is { } a ? Math.Abs(a) : null;
            }
        }

        var paid = gmt.Text("date_paid_gmt") is not null ? gmt.Instant("date_paid_gmt") : o.Instant("date_paid");
        // Processing, completed and refunded orders were paid even when a manual gateway (bank transfer) left
        // no paid date; otherwise an order that carries the field but no date is unpaid; one without it says nothing.
        var status = o.Text("status");
        // Except cash on delivery: WooCommerce's COD gateway puts the order in processing before anything is taken ("payment
        // won't be taken until delivery"); its paid status is completed, and a processing one is paid only with a paid date.
        var paidByStatus = status is not null && PaidStatuses.Contains(status)
            && !(string.Equals(status, "processing", StringComparison.OrdinalIgnoreCase) && string.Equals(o.Text("payment_method"), "cod", StringComparison.OrdinalIgnoreCase));
        var saysPaid = element.TryGetProperty("date_paid_gmt", out _) || element.TryGetProperty("date_paid", out _);

        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = o.Text("number") ?? id,
            CustomerEmail = o.Text("billing.email"),
            CustomerName = FormatSupport.PersonName(o.Text("billing.first_name"), o.Text("billing.last_name"))
                ?? FormatSupport.PersonName(o.Text("shipping.first_name"), o.Text("shipping.last_name")),
            OrderDate = gmt.Text("date_created_gmt") is not null ? gmt.Instant("date_created_gmt", strict: true) : o.Instant("date_created", strict: true),
            UpdatedAt = gmt.Text("date_modified_gmt") is not null ? gmt.Instant("date_modified_gmt") : o.Instant("date_modified"),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = total,
            Subtotal = subtotals.Count > 0 && subtotals.All(s => s is not null) ? FormatSupport.Sum(subtotals) : null,
            Tax = o.Money("total_tax"),
            Shipping = o.Money("shipping_total"),
            // discount_total is what the coupons took off; a negative fee takes its amount off beside them.
            Discount = feeDiscounts == 0 ? o.Money("discount_total") : (o.Money("discount_total") ?? 0) - feeDiscounts,
            AmountPaid = paid is not null || paidByStatus ? total : saysPaid || status is not null ? 0 : null,
            AmountRefunded = refunded,
            Status = status,
            PaymentReference = o.Text("transaction_id"),
            Platform = "woocommerce",
            // Line prices are net of tax in every WooCommerce shop.
            TaxesIncluded = false,
            Lines = lines.Lines,
        };
        return new ReadOrder(InStoreCurrency(order, o), problems);
    }

    /// <summary>
    /// An order a customer paid in another currency through WooPayments' multi-currency is recorded in that currency (its
    /// <c>currency</c> and every amount), with the store's currency and the rate of the day in its meta:
    /// <c>_wcpay_multi_currency_order_default_currency</c>, <c>_wcpay_multi_currency_order_exchange_rate</c> (order-currency units per
    /// store unit) and, once the payment settled, <c>_wcpay_multi_currency_stripe_exchange_rate</c> (store units per order unit,
    /// which WooCommerce's analytics prefer). FOX (WOOCS), the other common switcher, writes the same two facts as
    /// <c>_woocs_order_base_currency</c> and <c>_woocs_order_rate</c> (order-currency units per store unit). Read as Shopify's are: amounts in the store's currency (rounded to its minor unit,
    /// prices to the four places kept), the customer's currency and total as the presentment ones — so a Keap copy in either
    /// currency is compared through the order's own rate, and the money at stake is in the store's currency.
    /// </summary>
    static CanonicalOrder InStoreCurrency(CanonicalOrder order, JsonFields o)
    {
        string? store = null;
        decimal? orderRate = null, stripeRate = null;
        foreach (var meta in o.Objects("meta_data"))
        {
            switch (meta.Text("key"))
            {
                case "_wcpay_multi_currency_order_default_currency" or "_woocs_order_base_currency":
                    store = meta.Text("value")?.ToUpperInvariant();
                    break;
                case "_wcpay_multi_currency_order_exchange_rate" or "_woocs_order_rate":
                    orderRate = meta.Money("value");
                    break;
                case "_wcpay_multi_currency_stripe_exchange_rate":
                    stripeRate = meta.Money("value");
                    break;
            }
        }
        var toStore = stripeRate is { } settled && Currencies.PlausibleRate(settled) ? settled
            : orderRate is { } ofTheDay && Currencies.PlausibleRate(ofTheDay) ? 1 / ofTheDay : 0;
        if (store is null || toStore == 0 || order.Currency is null || store == order.Currency)
            return order;
        var scale = Currencies.MinorUnitScale(store);
        decimal Money(decimal amount) => Math.Round(amount * toStore * scale, MidpointRounding.AwayFromZero) / scale;
        decimal? Maybe(decimal? amount) => amount is { } a ? Money(a) : null;
        return order with
        {
            Currency = store,
            PresentmentCurrency = order.Currency,
            PresentmentTotal = order.Total,
            Total = Money(order.Total),
            Subtotal = Maybe(order.Subtotal),
            Tax = Maybe(order.Tax),
            Shipping = Maybe(order.Shipping),
            Discount = Maybe(order.Discount),
            AmountPaid = Maybe(order.AmountPaid),
            AmountRefunded = Maybe(order.AmountRefunded),
            Lines = [.. order.Lines.Select(l => l with
            {
                UnitPrice = Math.Round(l.UnitPrice * toStore, OrderValidator.Decimals, MidpointRounding.AwayFromZero),
                LineTotal = Maybe(l.LineTotal),
                Discount = Maybe(l.Discount),
                Tax = Maybe(l.Tax),
            })],
        };
    }
}
