namespace ReconcileApi.Features.Orders;

/// <summary>A whole-request fault found while reading a body: what is wrong and where, answered as a problem (400 unless it is about size).</summary>
public sealed record MalformedBody(string Message, int Line, int Position, int Status = StatusCodes.Status400BadRequest)
{
    public ProblemHttpResult ToProblem() =>
        Problems.Problem(Status, Message, new Dictionary<string, object?> { ["line"] = Line, ["position"] = Position });
}
