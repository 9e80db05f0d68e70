using FluentValidation;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// Rules one incoming order must meet to be stored; each order is validated on its own. Lines are the
/// formats' to read: one they cannot read (a negative quantity among them) leaves the order without lines.
/// Money and quantities are bounded (<see cref="MaxMoney"/>, <see cref="MaxQuantity"/>) so that no sum,
/// difference or line value a run computes can overflow.
/// </summary>
public sealed class OrderValidator : AbstractValidator<CanonicalOrder>
{
    /// <summary>Any amount: a total, a line price, a tax (±1,000,000,000,000).</summary>
    public const decimal MaxMoney = 1_000_000_000_000m;
    /// <summary>Any quantity (±1,000,000).</summary>
    public const decimal MaxQuantity = 1_000_000m;
    /// <summary>Lines per order: with the bounds above, no order's line value can overflow even converted at an extreme rate.</summary>
    public const int MaxLines = 10_000;
    /// <summary>Decimal places kept: the database stores money to this scale.</summary>
    public const int Decimals = 4;

    /// <summary>What an amount or a quantity must be, as problems say it (the readers too, of numbers no decimal holds).</summary>
    public static readonly string MoneyRange = $"between -{MaxMoney:N0} and {MaxMoney:N0}", QuantityRange = $"between -{MaxQuantity:N0} and {MaxQuantity:N0}";
    static readonly string MoneyMessage = $"Must be {MoneyRange}.";
    static readonly string QuantityMessage = $"Must be {QuantityRange}.";

    public OrderValidator()
    {
        RuleFor(o => o.OrderId).NotEmpty().WithMessage("Is required: the order's own id in its system.");
        RuleFor(o => o.Currency).Must(c => c is null || (c.Length == 3 && c.All(char.IsAsciiLetterUpper)))
            .WithMessage("Must be a three-letter ISO 4217 code such as USD.");
        // The texts in one rule too, for the same reason: a length compare and a vectorised search per field.
        RuleFor(o => o).Custom((o, context) =>
        {
            Check(context, o.OrderId, "OrderId", MaxIdLength, Text.Id);
            Check(context, o.OrderNumber, "OrderNumber", MaxOrderNumberLength, Text.Code);
            Check(context, o.CustomerEmail, "CustomerEmail", MaxEmailLength, Text.Code);
            Check(context, o.CustomerName, "CustomerName", MaxNameLength, Text.Prose);
            Check(context, o.Status, "Status", MaxCodeLength, Text.Code);
            Check(context, o.PaymentReference, "PaymentReference", MaxReferenceLength, Text.Code);
            Check(context, o.Platform, "Platform", MaxCodeLength, Text.Code);
            Check(context, o.PresentmentCurrency, "PresentmentCurrency", MaxCodeLength, Text.Code);
            Check(context, o.SourceType, "SourceType", MaxCodeLength, Text.Code);
            for (var i = 0; i < o.Lines.Count; i++)
            {
                var l = o.Lines[i];
                Check(context, l.Sku, "Sku", MaxReferenceLength, Text.Code, i);
                Check(context, l.ProductId, "ProductId", MaxReferenceLength, Text.Code, i);
                Check(context, l.Name, "Name", MaxNameLength, Text.Prose, i);
            }
        });
        // The amounts in one rule, and the lines in one below, each naming a field only when it fails: FluentValidation
        // builds a context per rule, and with a rule per amount validating took 7.7 % of the service's CPU in an ingest of
        // new orders (`perf`), 4.2 % since; a child validator per line had taken 31 %.
        RuleFor(o => o).Custom((o, context) =>
        {
            Check(o.Total, "Total");
            Check(o.Subtotal, "Subtotal");
            Check(o.Tax, "Tax");
            Check(o.Shipping, "Shipping");
            Check(o.Discount, "Discount");
            Check(o.AmountPaid, "AmountPaid");
            Check(o.AmountRefunded, "AmountRefunded");
            Check(o.PresentmentTotal, "PresentmentTotal");

            void Check(decimal? value, string field)
            {
                if (!Money(value))
                    context.AddFailure(field, MoneyMessage);
            }
        });
        RuleFor(o => o.Lines).Custom((lines, context) =>
        {
            if (lines.Count > MaxLines)
                context.AddFailure("lines", $"Holds more than {MaxLines:N0} lines.");
            for (var i = 0; i < lines.Count; i++)
            {
                var l = lines[i];
                Check(Quantity(l.Quantity), "Quantity", QuantityMessage);
                Check(Quantity(l.OriginalQuantity), "OriginalQuantity", QuantityMessage);
                Check(Money(l.UnitPrice), "UnitPrice", MoneyMessage);
                Check(Money(l.LineTotal), "LineTotal", MoneyMessage);
                Check(Money(l.Discount), "Discount", MoneyMessage);
                Check(Money(l.Tax), "Tax", MoneyMessage);

                void Check(bool valid, string field, string message)
                {
                    if (!valid)
                        context.AddFailure($"Lines[{i}].{field}", message);
                }
            }
        });
    }

    /// <summary>Longest texts kept, in characters: what the database columns hold (order id 100, order number 200, email 320).</summary>
    public const int MaxIdLength = 100, MaxOrderNumberLength = 200, MaxEmailLength = 320;
    /// <summary>
    /// Longest texts kept that no column bounds: a status or a platform name (64), a payment reference, a SKU or a product id
    /// (255), a customer's or a line's name (1,000). Each is copied into discrepancies, suggested actions and CSV exports: one
    /// order with a 29 MB name had made a 10 MB CSV cell and a 91 MB page of ten orders.
    /// </summary>
    public const int MaxCodeLength = 64, MaxReferenceLength = 255, MaxNameLength = 1_000;

    enum Text
    {
        /// <summary>The order id: also read back from a URL path, so no dot segment (clients resolve "." and "..").</summary>
        Id,
        /// <summary>An identifier or a code: no control character.</summary>
        Code,
        /// <summary>A name, which a spreadsheet cell may have broken over lines: tab, line feed and carriage return allowed.</summary>
        Prose,
    }

    /// <summary>Adds the text field's problem, if any; a line's field is named with its index only then (no string per line and field).</summary>
    static void Check(ValidationContext<CanonicalOrder> context, string? value, string field, int maxLength, Text kind, int line = -1)
    {
        if (TextProblem(value, maxLength, kind) is { } problem)
            context.AddFailure(line < 0 ? field : $"Lines[{line}].{field}", problem);
    }

    /// <summary>What is wrong with a text field, or null: too long, a control character (<see cref="TextRules"/>), or (an id) a dot segment.</summary>
    static string? TextProblem(string? value, int maxLength, Text kind)
    {
        if (TextRules.Problem(value, maxLength, prose: kind == Text.Prose) is { } problem)
            return problem;
        if (kind == Text.Id && value is "." or "..")
            return $"Cannot be '{value}': a URL path cannot name it (clients resolve dot segments), so the order could never be read back.";
        return null;
    }

    static bool Money(decimal? value) => value is null || Math.Abs(value.Value) <= MaxMoney;

    static bool Quantity(decimal? value) => value is null || Math.Abs(value.Value) <= MaxQuantity;
}
