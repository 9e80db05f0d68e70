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
        RuleFor(o => o.Currency).Must(c => c is null || (c.Length == 3 && c.All(char.IsAsciiLetterUpper)))
            .WithMessage("Must be a three-letter ISO 4217 code such as USD.");
        RuleFor(o => o.Status).MaximumLength(64);
        // Lines checked in one pass (ingest validates tens of thousands of orders per request; a child
        // validator per line costs more than the rest of the order's validation).
        RuleFor(o => o.Lines).Custom((lines, context) =>
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (lines[i].Quantity < 0)
                    context.AddFailure($"lines[{i}].quantity", $"Must be zero or more, not {lines[i].Quantity}.");
            }
        });
    }
}
