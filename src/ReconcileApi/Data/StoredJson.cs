using System.Buffers;
using System.Collections;
using System.Text;
using System.Text.Json.Serialization;
using ReconcileApi.Engine;

namespace ReconcileApi.Data;

/// <summary>
/// How JSON kept in columns is written and read — batch receipts and rejected records, suggested actions,
/// line differences, history snapshots, settings versions, a run's counts and sync lag: camelCase, nulls
/// left out. One set of options owned by the data layer, so what is stored never follows a change made to
/// what the API answers. (Order payloads have their own source-generated form: OrderJson.)
/// </summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    static readonly JsonEncodedText CodeName = JsonEncodedText.Encode(Name(nameof(SuggestedAction.Code)));
    static readonly JsonEncodedText SystemName = JsonEncodedText.Encode(Name(nameof(SuggestedAction.System)));
    static readonly JsonEncodedText ValuesName = JsonEncodedText.Encode(Name(nameof(SuggestedAction.Values)));

    [ThreadStatic] static ArrayBufferWriter<byte>? buffer;
    [ThreadStatic] static Utf8JsonWriter? actionWriter;

    /// <summary>
    /// A suggested action as <c>JsonSerializer.Serialize(action, Options)</c> writes it, character for character (a
    /// test holds them equal), written directly: the serializer's path for a name → object map looks up each value's
    /// type and boxes each entry, and a run stores one action per finding — 1 to 2 s of a million-order run's save.
    /// Values of a type not written here go through the serializer.
    /// </summary>
    public static string Serialize(SuggestedAction action)
    {
        var output = buffer ??= new ArrayBufferWriter<byte>(1024);
        output.ResetWrittenCount();
        // One writer per thread, reset for each action (a run writes one per finding).
        var writer = actionWriter ??= new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true });
        writer.Reset(output);
        writer.WriteStartObject();
        writer.WriteString(CodeName, action.Code);
        writer.WriteString(SystemName, action.System);
        writer.WritePropertyName(ValuesName);
        WriteMap(writer, action.Values);
        writer.WriteEndObject();
        writer.Flush();
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    static void WriteMap(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> map)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in map)
        {
            writer.WritePropertyName(Options.DictionaryKeyPolicy?.ConvertName(key) ?? key);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
    }

    static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                WriteMap(writer, map);
                break;
            case IEnumerable items and not IDictionary:
                writer.WriteStartArray();
                foreach (var item in items)
                    WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType(), Options);
                break;
        }
    }

    static string Name(string property) => Options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
