namespace ReconcileApi.Infrastructure;

/// <summary>Enum values as they appear on the wire (snake_case).</summary>
public static class WireEnum
{
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}.");

    public static string Names<T>() where T : struct, Enum => string.Join(", ", Values<T>());

    public static IReadOnlyList<string> Values<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Name).ToList();
}
