namespace ReconcileApi.Features.Settings;

/// <summary>Reads a workspace's settings by version; version 0 is the built-in defaults.</summary>
public static class SettingsStore
{
    public static async Task<int> CurrentVersionAsync(ReconcileDbContext db, Guid workspaceId, CancellationToken ct) =>
        await db.SettingsVersions.Where(s => s.WorkspaceId == workspaceId).MaxAsync(s => (int?)s.Version, ct) ?? 0;

    /// <summary>The workspace's latest settings, or the defaults (in UTC) when it has none.</summary>
    public static async Task<ReconcileSettings> CurrentAsync(ReconcileDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var json = await db.SettingsVersions.Where(s => s.WorkspaceId == workspaceId).OrderByDescending(s => s.Version).Select(s => s.Json).FirstOrDefaultAsync(ct);
        return json is null ? ReconcileSettings.Default : JsonSerializer.Deserialize<ReconcileSettings>(json, StoredJson.Options)!;
    }

    public static async Task<ReconcileSettings> LoadAsync(ReconcileDbContext db, Guid workspaceId, int version, CancellationToken ct)
    {
        if (version == 0)
            return await DefaultsAsync(db, workspaceId, ct);
        var json = await db.SettingsVersions
            .Where(s => s.WorkspaceId == workspaceId && s.Version == version)
            .Select(s => s.Json)
            .SingleAsync(ct);
        return JsonSerializer.Deserialize<ReconcileSettings>(json, StoredJson.Options)!;
    }

    /// <summary>The defaults, in the workspace's own timezone.</summary>
    static async Task<ReconcileSettings> DefaultsAsync(ReconcileDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var timezone = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Timezone).SingleAsync(ct);
        return ReconcileSettings.Default with { Timezone = timezone };
    }
}
