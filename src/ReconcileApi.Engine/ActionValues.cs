using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ReconcileApi.Engine;

/// <summary>
/// A small read-only name → value map for <see cref="SuggestedAction.Values"/> and its items. The names
/// are shared per kind of action, so a run with a hundred thousand findings does not build a hundred
/// thousand hash tables. Serializes as a JSON object.
/// </summary>
public sealed class ActionValues : IReadOnlyDictionary<string, object?>
{
    readonly string[] _names;
    readonly object?[] _values;

    public ActionValues(string[] names, params object?[] values)
    {
        if (names.Length != values.Length)
            throw new ArgumentException("One value per name.", nameof(values));
        (_names, _values) = (names, values);
    }

    public object? this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
    public IEnumerable<string> Keys => _names;
    public IEnumerable<object?> Values => _values;
    public int Count => _names.Length;
    public bool ContainsKey(string key) => Array.IndexOf(_names, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var i = Array.IndexOf(_names, key);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++)
            yield return new(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
