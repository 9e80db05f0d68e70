using System.Text.Json.Serialization;

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
}
