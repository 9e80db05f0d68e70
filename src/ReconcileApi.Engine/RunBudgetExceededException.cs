namespace ReconcileApi.Engine;

/// <summary>A run stopped because a workspace's own setting made it too costly; the message is a sentence for the person who set it.</summary>
public sealed class RunBudgetExceededException(string message) : Exception(message);
