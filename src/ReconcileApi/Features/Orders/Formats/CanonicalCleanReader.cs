using System.Text;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// The canonical order read in one pass over its bytes, for the common case: each field is of the kind it should be and
/// nothing would be warned about. Anything else — a field of another kind, an amount or a date that does not read, a line
/// the lenient reader would leave out, a property the canonical order does not have, any property twice in one object, text that is not valid Unicode — gives null, and the order
/// is read by <see cref="CanonicalFormat.Read"/>, which names each problem. The two read the same orders the same way
/// (CanonicalCleanReaderTests, over generated orders with every field in every kind); a field added to the canonical format
/// belongs in <see cref="CanonicalFormat.Read"/>, here and in that test's generator. Reading a document per order and
/// looking each field up by name was a fifth of the service's CPU in an ingest of new canonical orders (`perf`).
/// </summary>
internal static class CanonicalCleanReader
{
    enum Field { None = -1, OrderId, OrderNumber, CustomerEmail, CustomerName, OrderDate, Currency, Total, Subtotal, Tax, Shipping, Discount,
        AmountPaid, AmountRefunded, Status, PaymentReference, UpdatedAt, CreatedAt, Platform, TaxesIncluded, PresentmentCurrency,
        PresentmentTotal, SourceType, Lines }

    enum LineField { None = -1, Kind, Quantity, UnitPrice, Sku, ProductId, Name, LineTotal, Discount, Tax, OriginalQuantity }

    public static CanonicalOrder? TryRead(ReadOnlySpan<byte> json, FormatContext context)
    {
        var r = new Utf8JsonReader(json, JsonOrderList.Options);
        try
        {
            return Order(ref r, context);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            // Text that is not valid Unicode, or JSON the list's pass let through: the document reader says what.
            return null;
        }
    }

    static CanonicalOrder? Order(ref Utf8JsonReader r, FormatContext context)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            return null;
        string? orderId = null, number = null, email = null, name = null, currency = null, status = null, payment = null, platform = null,
            presentmentCurrency = null, sourceType = null;
        DateTime? orderDate = null, updatedAt = null, createdAt = null;
        decimal? total = null, subtotal = null, tax = null, shipping = null, discount = null, paid = null, refunded = null, presentmentTotal = null;
        bool? taxesIncluded = null;
        List<OrderLine>? lines = null;
        int seen = 0, next;
        while ((next = Next(ref r, FieldOf, ref seen)) >= 0)
        {
            var ok = (Field)next switch
            {
                Field.OrderId => Text(ref r, out orderId),
                Field.OrderNumber => Text(ref r, out number),
                Field.CustomerEmail => Text(ref r, out email),
                Field.CustomerName => Text(ref r, out name),
                Field.OrderDate => Instant(ref r, context, out orderDate),
                Field.Currency => Text(ref r, out currency),
                Field.Total => Money(ref r, out total),
                Field.Subtotal => Money(ref r, out subtotal),
                Field.Tax => Money(ref r, out tax),
                Field.Shipping => Money(ref r, out shipping),
                Field.Discount => Money(ref r, out discount),
                Field.AmountPaid => Money(ref r, out paid),
                Field.AmountRefunded => Money(ref r, out refunded),
                Field.Status => Text(ref r, out status),
                Field.PaymentReference => Text(ref r, out payment),
                Field.UpdatedAt => Instant(ref r, context, out updatedAt),
                Field.CreatedAt => Instant(ref r, context, out createdAt),
                Field.Platform => Text(ref r, out platform),
                Field.TaxesIncluded => Flag(ref r, out taxesIncluded),
                Field.PresentmentCurrency => Text(ref r, out presentmentCurrency),
                Field.PresentmentTotal => Money(ref r, out presentmentTotal),
                Field.SourceType => Text(ref r, out sourceType),
                _ => Lines(ref r, out lines),
            };
            if (!ok)
                return null;
        }
        if (next != End || total is null)
            return null;
        return new CanonicalOrder
        {
            OrderId = orderId ?? "",
            OrderNumber = number,
            CustomerEmail = email,
            CustomerName = name,
            OrderDate = orderDate,
            Currency = currency?.ToUpperInvariant(),
            Total = total.Value,
            Subtotal = subtotal,
            Tax = tax,
            Shipping = shipping,
            Discount = discount,
            AmountPaid = paid,
            AmountRefunded = refunded,
            Status = status,
            PaymentReference = payment,
            UpdatedAt = updatedAt,
            CreatedAt = createdAt,
            Platform = platform?.ToLowerInvariant(),
            TaxesIncluded = taxesIncluded,
            PresentmentCurrency = presentmentCurrency?.ToUpperInvariant(),
            PresentmentTotal = presentmentTotal,
            SourceType = sourceType?.ToUpperInvariant(),
            Lines = lines ?? [],
        };
    }

    static bool Lines(ref Utf8JsonReader r, out List<OrderLine>? lines)
    {
        lines = null;
        if (r.TokenType == JsonTokenType.Null)
            return true;
        if (r.TokenType != JsonTokenType.StartArray)
            return false;
        lines = [];
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject || Line(ref r) is not { } line)
                return false;
            lines.Add(line);
        }
        return true;
    }

    static OrderLine? Line(ref Utf8JsonReader r)
    {
        string? kindText = null, sku = null, productId = null, name = null;
        decimal? quantity = null, unitPrice = null, lineTotal = null, discount = null, tax = null, originalQuantity = null;
        int seen = 0, next;
        while ((next = Next(ref r, LineFieldOf, ref seen)) >= 0)
        {
            var ok = (LineField)next switch
            {
                LineField.Kind => Text(ref r, out kindText),
                LineField.Quantity => Money(ref r, out quantity),
                LineField.UnitPrice => Money(ref r, out unitPrice),
                LineField.Sku => Text(ref r, out sku),
                LineField.ProductId => Text(ref r, out productId),
                LineField.Name => Text(ref r, out name),
                LineField.LineTotal => Money(ref r, out lineTotal),
                LineField.Discount => Money(ref r, out discount),
                LineField.Tax => Money(ref r, out tax),
                _ => Money(ref r, out originalQuantity),
            };
            if (!ok)
                return null;
        }
        // Without a quantity (zero or more) and a price, or with a kind it does not know, the lenient reader leaves the lines out.
        if (next != End || LineKinds.Canonical(kindText) is not { } kind || quantity is not >= 0 || unitPrice is not { } price)
            return null;
        return new OrderLine(sku, productId, name, quantity.Value, price, lineTotal, kind) { Discount = discount, Tax = tax, OriginalQuantity = originalQuantity };
    }

    delegate int Names(ref Utf8JsonReader r);

    const int End = -1, Other = -2;

    /// <summary>
    /// Moves to the value of the object's next property and returns its number; <see cref="End"/> at the object's end,
    /// <see cref="Other"/> for a property the canonical order does not have (the document reader warns about it) or one seen
    /// before (which it rejects naming it).
    /// </summary>
    static int Next(ref Utf8JsonReader r, Names names, ref int seen)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.PropertyName)
            return End;
        var field = names(ref r);
        r.Read();
        if (field < 0 || (seen & (1 << field)) != 0)
            return Other;
        seen |= 1 << field;
        return field;
    }

    /// <summary>As <see cref="JsonFields.Text"/>: a string trimmed (empty is null), a number or a boolean as written.</summary>
    static bool Text(ref Utf8JsonReader r, out string? value)
    {
        value = null;
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                var s = r.GetString()!.Trim();
                value = s.Length == 0 ? null : s;
                return true;
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                value = Encoding.UTF8.GetString(r.ValueSpan);
                return true;
            default:
                return false;
        }
    }

    /// <summary>As <see cref="JsonFields.Money"/> through <see cref="Lenient.TryDecimal(JsonElement, out decimal)"/>.</summary>
    static bool Money(ref Utf8JsonReader r, out decimal? value)
    {
        value = null;
        decimal d;
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number when r.TryGetDecimal(out d):
            case JsonTokenType.String when Lenient.TryDecimal(r.GetString(), out d):
                value = d;
                return true;
            default:
                return false;
        }
    }

    /// <summary>As <see cref="JsonFields.Instant"/>: the text read as a date in the request's zone and date order.</summary>
    static bool Instant(ref Utf8JsonReader r, FormatContext context, out DateTime? value)
    {
        value = null;
        if (!Text(ref r, out var text))
            return false;
        if (text is null)
            return true;
        // A time a DST change skips or repeats is read with a warning: the document reader gives it.
        if (!Lenient.TryInstant(text, context.Zone, context.DateOrder, out var utc, out _, out var note) || note is not null)
            return false;
        value = utc;
        return true;
    }

    /// <summary>As <see cref="JsonFields.Flag"/>.</summary>
    static bool Flag(ref Utf8JsonReader r, out bool? value)
    {
        value = null;
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.True or JsonTokenType.False:
                value = r.TokenType == JsonTokenType.True;
                return true;
            case JsonTokenType.String when bool.TryParse(r.GetString()!.Trim(), out var b):
                value = b;
                return true;
            default:
                return false;
        }
    }

    static int FieldOf(ref Utf8JsonReader r) => (int)(
        r.ValueTextEquals("orderId"u8) ? Field.OrderId
        : r.ValueTextEquals("orderNumber"u8) ? Field.OrderNumber
        : r.ValueTextEquals("customerEmail"u8) ? Field.CustomerEmail
        : r.ValueTextEquals("customerName"u8) ? Field.CustomerName
        : r.ValueTextEquals("orderDate"u8) ? Field.OrderDate
        : r.ValueTextEquals("currency"u8) ? Field.Currency
        : r.ValueTextEquals("total"u8) ? Field.Total
        : r.ValueTextEquals("subtotal"u8) ? Field.Subtotal
        : r.ValueTextEquals("tax"u8) ? Field.Tax
        : r.ValueTextEquals("shipping"u8) ? Field.Shipping
        : r.ValueTextEquals("discount"u8) ? Field.Discount
        : r.ValueTextEquals("amountPaid"u8) ? Field.AmountPaid
        : r.ValueTextEquals("amountRefunded"u8) ? Field.AmountRefunded
        : r.ValueTextEquals("status"u8) ? Field.Status
        : r.ValueTextEquals("paymentReference"u8) ? Field.PaymentReference
        : r.ValueTextEquals("updatedAt"u8) ? Field.UpdatedAt
        : r.ValueTextEquals("createdAt"u8) ? Field.CreatedAt
        : r.ValueTextEquals("platform"u8) ? Field.Platform
        : r.ValueTextEquals("taxesIncluded"u8) ? Field.TaxesIncluded
        : r.ValueTextEquals("presentmentCurrency"u8) ? Field.PresentmentCurrency
        : r.ValueTextEquals("presentmentTotal"u8) ? Field.PresentmentTotal
        : r.ValueTextEquals("sourceType"u8) ? Field.SourceType
        : r.ValueTextEquals("lines"u8) ? Field.Lines
        : Field.None);

    static int LineFieldOf(ref Utf8JsonReader r) => (int)(
        r.ValueTextEquals("kind"u8) ? LineField.Kind
        : r.ValueTextEquals("quantity"u8) ? LineField.Quantity
        : r.ValueTextEquals("unitPrice"u8) ? LineField.UnitPrice
        : r.ValueTextEquals("sku"u8) ? LineField.Sku
        : r.ValueTextEquals("productId"u8) ? LineField.ProductId
        : r.ValueTextEquals("name"u8) ? LineField.Name
        : r.ValueTextEquals("lineTotal"u8) ? LineField.LineTotal
        : r.ValueTextEquals("discount"u8) ? LineField.Discount
        : r.ValueTextEquals("tax"u8) ? LineField.Tax
        : r.ValueTextEquals("originalQuantity"u8) ? LineField.OriginalQuantity
        : LineField.None);
}
