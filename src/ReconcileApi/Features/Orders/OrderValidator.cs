using FluentValidation;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// Rules one incoming order must meet to be stored; each order is validated on its own. Lines are the
/// formats' to read: one they cannot read (a negative quantity among them) leaves the order without lines.
/// </summary>
public sealed class OrderValidator : AbstractValidator<CanonicalOrder>
{
    public OrderValidator()
    {
        RuleFor(o => o.OrderId).NotEmpty().WithMessage("Is required: the order's own id in its system.").MaximumLength(100);
        RuleFor(o => o.OrderNumber).MaximumLength(200);
        RuleFor(o => o.CustomerEmail).MaximumLength(320);
        RuleFor(o => o.Currency).Must(c => c is null || (c.Length == 3 && c.All(char.IsAsciiLetterUpper)))
            .WithMessage("Must be a three-letter ISO 4217 code such as USD.");
        RuleFor(o => o.Status).MaximumLength(64);
    }
}
