namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Where one of Shopify's Admin APIs keeps each order field <see cref="ShopifyOrderReader"/> reads: the REST API's
/// snake_case fields with amounts in shop money, or the GraphQL API's camelCase ones with MoneyBag amounts
/// (<c>totalPriceSet.shopMoney.amount</c>), lists as connections (<c>nodes</c> or <c>edges[].node</c>), <c>gid://</c>
/// ids and enums in capitals. The two describe one order model, so one reader maps either to the same canonical order;
/// a path list is tried in order, and a null path is a field that API does not have.
/// </summary>
public sealed record ShopifyFields
{
    public static ShopifyFields Rest { get; } = new()
    {
        Ids = ["id", "admin_graphql_api_id"],
        FinancialStatus = "financial_status",
        CancelledAt = "cancelled_at",
        OrderNumber = ["name", "order_number"],
        Email = ["email", "contact_email", "customer.email"],
        CustomerFirstName = "customer.first_name",
        CustomerLastName = "customer.last_name",
        BillingFirstName = "billing_address.first_name",
        BillingLastName = "billing_address.last_name",
        BillingName = "billing_address.name",
        ProcessedAt = "processed_at",
        CreatedAt = "created_at",
        UpdatedAt = "updated_at",
        Currency = "currency",
        PresentmentCurrency = "presentment_currency",
        TotalPrice = "total_price",
        PresentmentTotalPrice = "total_price_set.presentment_money.amount",
        CurrentTotalPrice = "current_total_price",
        SubtotalPrice = "subtotal_price",
        TotalTax = "total_tax",
        TotalDiscounts = "total_discounts",
        TotalOutstanding = "total_outstanding",
        TotalShipping = "total_shipping_price_set.shop_money.amount",
        TotalRefunded = null,
        TaxesIncluded = "taxes_included",
        DutiesIncluded = "duties_included",
        OriginalDuties = "original_total_duties_set.shop_money.amount",
        CurrentDuties = "current_total_duties_set.shop_money.amount",
        OriginalAdditionalFees = "original_total_additional_fees_set.shop_money.amount",
        CurrentAdditionalFees = "current_total_additional_fees_set.shop_money.amount",
        LineItems = "line_items",
        LineTitle = ["title", "name"],
        LineProductId = "product_id",
        LineCurrentQuantity = "current_quantity",
        LinePrice = "price",
        LineDiscountAllocations = "discount_allocations",
        AllocationAmount = "amount",
        LineTotalDiscount = "total_discount",
        LineTip = "tip_payment_gateway",
        TaxLines = "tax_lines",
        TaxLinePrice = "price",
        ShippingLines = "shipping_lines",
        ShippingDiscountedPrice = "discounted_price",
        ShippingPrice = "price",
        ShippingRemoved = "is_removed",
        RefundLineItems = "refund_line_items",
        RefundLineItemLineId = ["line_item_id", "line_item.id"],
        RefundLineItemSubtotal = ["subtotal_set.shop_money.amount", "subtotal"],
        RefundLineItemTax = ["total_tax_set.shop_money.amount", "total_tax"],
        RefundShippingLines = "refund_shipping_lines",
        RefundShippingSubtotal = "subtotal_amount_set.shop_money.amount",
        RefundShippingTax = null,
        OrderAdjustments = "order_adjustments",
        AdjustmentAmount = ["amount_set.shop_money.amount", "amount"],
        AdjustmentTax = ["tax_amount_set.shop_money.amount", "tax_amount"],
        TransactionShopAmount = null,
        TransactionAmount = "amount",
    };

    public static ShopifyFields GraphQl { get; } = new()
    {
        // legacyResourceId is "the ID of the corresponding resource in the REST Admin API"; id is the same number in a gid.
        Ids = ["legacyResourceId", "id"],
        FinancialStatus = "displayFinancialStatus",
        CancelledAt = "cancelledAt",
        OrderNumber = ["name"],
        Email = ["email", "customer.defaultEmailAddress.emailAddress", "customer.email"],
        CustomerFirstName = "customer.firstName",
        CustomerLastName = "customer.lastName",
        BillingFirstName = "billingAddress.firstName",
        BillingLastName = "billingAddress.lastName",
        BillingName = "billingAddress.name",
        ProcessedAt = "processedAt",
        CreatedAt = "createdAt",
        UpdatedAt = "updatedAt",
        Currency = "currencyCode",
        PresentmentCurrency = "presentmentCurrencyCode",
        TotalPrice = "totalPriceSet.shopMoney.amount",
        PresentmentTotalPrice = "totalPriceSet.presentmentMoney.amount",
        CurrentTotalPrice = "currentTotalPriceSet.shopMoney.amount",
        SubtotalPrice = "subtotalPriceSet.shopMoney.amount",
        TotalTax = "totalTaxSet.shopMoney.amount",
        TotalDiscounts = "totalDiscountsSet.shopMoney.amount",
        TotalOutstanding = "totalOutstandingSet.shopMoney.amount",
        TotalShipping = "totalShippingPriceSet.shopMoney.amount",
        TotalRefunded = "totalRefundedSet.shopMoney.amount",
        TaxesIncluded = "taxesIncluded",
        DutiesIncluded = "dutiesIncluded",
        OriginalDuties = "originalTotalDutiesSet.shopMoney.amount",
        CurrentDuties = "currentTotalDutiesSet.shopMoney.amount",
        OriginalAdditionalFees = "originalTotalAdditionalFeesSet.shopMoney.amount",
        CurrentAdditionalFees = "currentTotalAdditionalFeesSet.shopMoney.amount",
        LineItems = "lineItems",
        LineTitle = ["title", "name"],
        LineProductId = "product.id",
        LineCurrentQuantity = "currentQuantity",
        LinePrice = "originalUnitPriceSet.shopMoney.amount",
        LineDiscountAllocations = "discountAllocations",
        AllocationAmount = "allocatedAmountSet.shopMoney.amount",
        LineTotalDiscount = "totalDiscountSet.shopMoney.amount",
        LineTip = null,
        TaxLines = "taxLines",
        TaxLinePrice = "priceSet.shopMoney.amount",
        ShippingLines = "shippingLines",
        ShippingDiscountedPrice = "discountedPriceSet.shopMoney.amount",
        ShippingPrice = "originalPriceSet.shopMoney.amount",
        ShippingRemoved = "isRemoved",
        RefundLineItems = "refundLineItems",
        RefundLineItemLineId = ["lineItem.id"],
        RefundLineItemSubtotal = ["subtotalSet.shopMoney.amount"],
        RefundLineItemTax = ["totalTaxSet.shopMoney.amount"],
        RefundShippingLines = "refundShippingLines",
        RefundShippingSubtotal = "subtotalAmountSet.shopMoney.amount",
        // A refund shipping line carries its own tax here; REST gave the shipping's tax only on the shipping_refund adjustment.
        RefundShippingTax = "taxAmountSet.shopMoney.amount",
        OrderAdjustments = "orderAdjustments",
        AdjustmentAmount = ["amountSet.shopMoney.amount"],
        AdjustmentTax = ["taxAmountSet.shopMoney.amount"],
        TransactionShopAmount = "amountSet.shopMoney.amount",
        TransactionAmount = "amountSet.presentmentMoney.amount",
        Connections = true,
        EnumsInCapitals = true,
    };

    public required IReadOnlyList<string> Ids { get; init; }
    public string Test { get; init; } = "test";
    public required string FinancialStatus { get; init; }
    public required string CancelledAt { get; init; }
    public required IReadOnlyList<string> OrderNumber { get; init; }
    public required IReadOnlyList<string> Email { get; init; }
    public required string CustomerFirstName { get; init; }
    public required string CustomerLastName { get; init; }
    public required string BillingFirstName { get; init; }
    public required string BillingLastName { get; init; }
    public required string BillingName { get; init; }
    public required string ProcessedAt { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public required string Currency { get; init; }
    public required string PresentmentCurrency { get; init; }
    public required string TotalPrice { get; init; }
    public required string PresentmentTotalPrice { get; init; }
    public required string CurrentTotalPrice { get; init; }
    public required string SubtotalPrice { get; init; }
    public required string TotalTax { get; init; }
    public required string TotalDiscounts { get; init; }
    public required string TotalOutstanding { get; init; }
    public required string TotalShipping { get; init; }
    /// <summary>The order's own refunded total in shop money, where the API has one; else the refund transactions say it.</summary>
    public required string? TotalRefunded { get; init; }
    public required string TaxesIncluded { get; init; }
    public required string DutiesIncluded { get; init; }
    public required string OriginalDuties { get; init; }
    public required string CurrentDuties { get; init; }
    /// <summary>The order's additional fees (a retail delivery fee, a bag fee …), part of its total like duties.</summary>
    public required string OriginalAdditionalFees { get; init; }
    public required string CurrentAdditionalFees { get; init; }
    public string Refunds { get; init; } = "refunds";

    public required string LineItems { get; init; }
    public string LineId { get; init; } = "id";
    public string LineSku { get; init; } = "sku";
    public required IReadOnlyList<string> LineTitle { get; init; }
    public required string LineProductId { get; init; }
    public string LineQuantity { get; init; } = "quantity";
    public required string LineCurrentQuantity { get; init; }
    public required string LinePrice { get; init; }
    public required string LineDiscountAllocations { get; init; }
    public required string AllocationAmount { get; init; }
    public required string LineTotalDiscount { get; init; }
    public string LineTaxable { get; init; } = "taxable";
    public required string? LineTip { get; init; }
    public required string TaxLines { get; init; }
    public required string TaxLinePrice { get; init; }

    public required string ShippingLines { get; init; }
    public string ShippingCode { get; init; } = "code";
    public string ShippingTitle { get; init; } = "title";
    public required string ShippingDiscountedPrice { get; init; }
    public required string ShippingPrice { get; init; }
    public required string ShippingRemoved { get; init; }

    public required string RefundLineItems { get; init; }
    public required IReadOnlyList<string> RefundLineItemLineId { get; init; }
    public string RefundLineItemQuantity { get; init; } = "quantity";
    public required IReadOnlyList<string> RefundLineItemSubtotal { get; init; }
    public required IReadOnlyList<string> RefundLineItemTax { get; init; }
    public required string RefundShippingLines { get; init; }
    public required string RefundShippingSubtotal { get; init; }
    public required string? RefundShippingTax { get; init; }
    public required string OrderAdjustments { get; init; }
    public string AdjustmentKind { get; init; } = "kind";
    public required IReadOnlyList<string> AdjustmentAmount { get; init; }
    public required IReadOnlyList<string> AdjustmentTax { get; init; }
    public string Transactions { get; init; } = "transactions";
    public string TransactionKind { get; init; } = "kind";
    public string TransactionStatus { get; init; } = "status";
    /// <summary>A refund transaction's amount in shop money, where the API gives it; else <see cref="TransactionAmount"/> converted.</summary>
    public required string? TransactionShopAmount { get; init; }
    /// <summary>A refund transaction's amount in the presentment currency.</summary>
    public required string TransactionAmount { get; init; }

    /// <summary>Lists may be connections (<c>{"nodes": […]}</c> or <c>{"edges": [{"node": …}]}</c>) as well as arrays.</summary>
    public bool Connections { get; init; }

    /// <summary>Enum values are written in capitals (<c>PARTIALLY_REFUNDED</c>); REST's lower-case names are the order's status.</summary>
    public bool EnumsInCapitals { get; init; }

    /// <summary>The objects of a list of this API: an array, or with <see cref="Connections"/> a connection too.</summary>
    public IEnumerable<JsonFields> Items(JsonFields o, string path, LineReader? lines = null) =>
        Connections ? o.Connection(path, lines) : o.Objects(path, lines);

    /// <summary>The first of <paramref name="paths"/> that is there, as text.</summary>
    public static string? Text(JsonFields o, IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            if (o.Text(path) is { } text)
                return text;
        }
        return null;
    }

    /// <summary>The first of <paramref name="paths"/> that is there, as money.</summary>
    public static decimal? Money(JsonFields o, IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            if (o.Money(path) is { } money)
                return money;
        }
        return null;
    }

    /// <summary>An id as the REST API writes it: the number of a GraphQL global id (<c>gid://shopify/Order/450789469</c>), else the id as it is.</summary>
    public static string? LegacyId(string? id)
    {
        const string prefix = "gid://shopify/";
        if (id is null || !id.StartsWith(prefix, StringComparison.Ordinal))
            return id;
        var slash = id.IndexOf('/', prefix.Length);
        var end = id.IndexOf('?', prefix.Length) is >= 0 and var query ? query : id.Length;
        return slash >= 0 && slash + 1 < end ? id[(slash + 1)..end] : id;
    }
}
