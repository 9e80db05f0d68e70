using FluentValidation;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders;

/// <summary>Rules one incoming order must meet to be stored; each order is validated on its own.</summary>
public sealed class OrderValidator : AbstractValidator<CanonicalOrder>
{
    public OrderValidator()
    {
        RuleFor(o => o.OrderId).NotEmpty().WithMessage("Is required: the order's own id in its system.").MaximumLength(100);
        RuleFor(o => o.OrderNumber).MaximumLength(200);
        RuleFor(o => o.CustomerEmail).MaximumLength(320);
        RuleFor(o => o.Currency).Matches("^[A-Z]{3}$").When(o => o.Currency is not null)
            .WithMessage("Must be a three-letter ISO 4217 code such as USD.");
        RuleFor(o => o.Status).MaximumLength(64);
        RuleForEach(o => o.Lines).ChildRules(line =>
        {
            line.RuleFor(l => l.Quantity).GreaterThanOrEqualTo(0);
        }).OverridePropertyName("lines");
    }
}
