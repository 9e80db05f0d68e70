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
}
