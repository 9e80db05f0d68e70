namespace ReconcileApi.Features.Orders;

/// <summary>A whole-request fault found while reading a body: answered as a 400 problem with where it is.</summary>
public sealed class MalformedBodyException(string message, int line, int position) : Exception(message)
{
    public int Line { get; } = line;
    public int Position { get; } = position;
}
