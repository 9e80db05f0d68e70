using ReconcileApi.Engine;
using ReconcileApi.Features.Orders;

namespace ReconcileApi.Tests.Formats;

/// <summary>The rules one order must meet, as the receipt names them (the field's camelCase path and the message).</summary>
public sealed class OrderValidatorTests
{
    static readonly OrderValidator Validator = new();
    const decimal TooMuch = OrderValidator.MaxMoney + 0.01m;

    static List<(string Field, string Message)> Failures(CanonicalOrder order) =>
        Validator.Validate(order).Errors.Select(e => (Infrastructure.ValidationFilter.CamelPath(e.PropertyName), e.ErrorMessage)).ToList();

    static readonly CanonicalOrder Valid = new()
    {
        OrderId = "1001", Currency = "USD", Total = OrderValidator.MaxMoney, Tax = -OrderValidator.MaxMoney,
        Lines = [new OrderLine("S", null, "N", OrderValidator.MaxQuantity, OrderValidator.MaxMoney)],
    };

    [Fact]
    public void TheBoundsThemselvesAreValid() => Assert.Empty(Failures(Valid));

    [Fact]
    public void EachAmountOutOfRange_IsNamed_InTheOrderTheyAreChecked()
    {
        var order = Valid with
        {
            Total = -TooMuch, Subtotal = TooMuch, Tax = TooMuch, Shipping = TooMuch, Discount = TooMuch, AmountPaid = TooMuch,
            AmountRefunded = TooMuch, PresentmentTotal = TooMuch,
        };

        var failures = Failures(order);

        Assert.Equal(["total", "subtotal", "tax", "shipping", "discount", "amountPaid", "amountRefunded", "presentmentTotal"], failures.Select(f => f.Field));
        Assert.All(failures, f => Assert.Equal("Must be between -1,000,000,000,000 and 1,000,000,000,000.", f.Message));
    }

    [Fact]
    public void TooManyLines_AndABadLine_AreBothNamed()
    {
        var lines = Enumerable.Range(0, OrderValidator.MaxLines + 1).Select(_ => new OrderLine("S", null, "N", 1, 1)).ToList();
        lines[2] = lines[2] with { Quantity = OrderValidator.MaxQuantity + 1 };

        var failures = Failures(Valid with { Lines = lines });

        Assert.Equal([("lines", "Holds more than 10,000 lines."), ("lines[2].quantity", "Must be between -1,000,000 and 1,000,000.")], failures);
    }

    [Fact]
    public void TheOrderIdIsRequired_AndTheCurrencyIsACode()
    {
        var failures = Failures(Valid with { OrderId = "", Currency = "usd" });

        Assert.Equal(["orderId", "currency"], failures.Select(f => f.Field));
    }

    [Theory]
    [InlineData("U\u0000NUL", "U+0000 at position 2")]
    [InlineData("A\u001fB", "U+001F at position 2")]
    [InlineData("\u007f1", "U+007F at position 1")]
    [InlineData("1\u0085", "U+0085 at position 2")]
    [InlineData("A\tB", "U+0009 at position 2")]
    [InlineData(".", "Cannot be '.'")]
    [InlineData("..", "Cannot be '..'")]
    public void AnOrderIdThatAUrlCannotNameBack_IsRefusedSayingWhy(string orderId, string message)
    {
        var failure = Assert.Single(Failures(Valid with { OrderId = orderId }));

        Assert.Equal("orderId", failure.Field);
        Assert.Contains(message, failure.Message);
    }

    [Theory]
    [InlineData("A\u200BB")]
    [InlineData("gid://shopify/Order/1")]
    [InlineData("...")]
    [InlineData("a/..")]
    public void AnOrderIdAUrlCanName_IsValid(string orderId) => Assert.Empty(Failures(Valid with { OrderId = orderId }));

    [Fact]
    public void ControlCharactersInOrderText_AreNamedByField_ButNamesMayBreakLines()
    {
        var order = Valid with
        {
            OrderNumber = "#10\u000001", CustomerEmail = "bob\u0001@example.com", CustomerName = "Bob\tNorman\r\nJr", Status = "paid\u0007",
            PaymentReference = "ch_\u001b", Lines = [new OrderLine("SKU\u0000", "P\u0085", "Mug\nwith lid", 1, 1), new OrderLine("S", null, "Tee\u0000", 1, 1)],
        };

        var failures = Failures(order);

        Assert.Equal(["orderNumber", "customerEmail", "status", "paymentReference", "lines[0].sku", "lines[0].productId", "lines[1].name"], failures.Select(f => f.Field));
        Assert.Equal("Holds a control character (U+0000 at position 4) other than a tab or a line break; send it without.", failures[^1].Message);
    }

    [Theory]
    [InlineData("customerName", OrderValidator.MaxNameLength)]
    [InlineData("orderNumber", OrderValidator.MaxOrderNumberLength)]
    [InlineData("lines[0].name", OrderValidator.MaxNameLength)]
    [InlineData("lines[0].sku", OrderValidator.MaxReferenceLength)]
    [InlineData("lines[0].productId", OrderValidator.MaxReferenceLength)]
    [InlineData("paymentReference", OrderValidator.MaxReferenceLength)]
    public void TextLongerThanKept_IsRefusedNamingTheFieldItsLengthAndTheLimit(string field, int limit)
    {
        CanonicalOrder With(int length)
        {
            var text = new string('x', length);
            var line = Valid.Lines[0];
            return field switch
            {
                "customerName" => Valid with { CustomerName = text },
                "orderNumber" => Valid with { OrderNumber = text },
                "paymentReference" => Valid with { PaymentReference = text },
                "lines[0].name" => Valid with { Lines = [line with { Name = text }] },
                "lines[0].sku" => Valid with { Lines = [line with { Sku = text }] },
                _ => Valid with { Lines = [line with { ProductId = text }] },
            };
        }

        Assert.Empty(Failures(With(limit)));
        Assert.Equal([(field, $"Holds {limit + 1:N0} characters; at most {limit:N0} are kept.")], Failures(With(limit + 1)));
    }
}
