namespace ReconcileApi.Features.Orders;

/// <summary>A whole-request fault found while reading a body: what is wrong and where, answered as a 400 problem.</summary>
public sealed record MalformedBody(string Message, int Line, int Position)
{
    public ProblemHttpResult ToProblem() =>
        Problems.BadRequest(Message, new Dictionary<string, object?> { ["line"] = Line, ["position"] = Position });
}
