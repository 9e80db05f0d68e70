namespace ReconcileApi.Features.Orders;

/// <summary>
/// A whole-request fault found while reading a body: what is wrong and where, answered as a problem (400 unless it is about
/// size); with <see cref="Field"/>, also in the <c>errors</c> shape of the validation problems.
/// </summary>
public sealed record MalformedBody(string Message, int Line, int Position, int Status = StatusCodes.Status400BadRequest,
    string? Field = null, string? FieldMessage = null)
{
    public ProblemHttpResult ToProblem()
    {
        var extensions = new Dictionary<string, object?> { ["line"] = Line, ["position"] = Position };
        if (Field is not null)
            extensions["errors"] = new Dictionary<string, string[]> { [Field] = [FieldMessage ?? Message] };
        return Problems.Problem(Status, Message, extensions);
    }
}
