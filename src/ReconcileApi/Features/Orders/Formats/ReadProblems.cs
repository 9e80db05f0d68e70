namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// What reading one order found wrong: an error rejects the order (its id, its total, an unreadable
/// order date); a warning stores the order without the field it names — nothing is guessed in its place.
/// </summary>
public sealed class ReadProblems
{
    public List<FieldError> Errors { get; } = [];
    public List<FieldError> Warnings { get; } = [];

    public void Error(string field, string message) => Errors.Add(new FieldError(field, message));
    public void Warn(string field, string message) => Warnings.Add(new FieldError(field, message));

    /// <summary>A warning that several reads can come upon (an object on the way to several fields): reported once.</summary>
    public void WarnOnce(string field, string message)
    {
        if (!Warnings.Contains(new FieldError(field, message)))
            Warn(field, message);
    }
}
