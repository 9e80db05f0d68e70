namespace ReconcileApi.Infrastructure;

/// <summary>Version ETags and If-Match, the one optimistic-concurrency check every versioned resource uses.</summary>
public static class ETags
{
    public static string Of(int version) => $"\"{version}\"";

    /// <summary>True when no If-Match was sent, when it is "*", or when it names this version (a weak "W/" prefix is accepted).</summary>
    public static bool Matches(string? ifMatch, int version) =>
        ifMatch is null || ifMatch.Trim() == "*" || ifMatch.Replace("W/", "").Trim() == Of(version);
}
