using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;

namespace ReconcileApi.Tests;

/// <summary>
/// A short write (a change of the alert rules) during long writes that follow each other with no gap (an ingest of many
/// requests) takes its turn at the write gate (GatedWrites) instead of looking for SQLite's lock every 100 ms.
/// </summary>
public sealed class GatedWritesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AShortWrite_IsServedAfterTheLongWriteUnderWay_NotWhenSqlitesLockHappensToBeFree()
    {
        using var busy = await factory.CreateWorkspaceAsync();
        using var ws = await factory.CreateWorkspaceAsync();
        var gate = factory.Services.GetRequiredService<WriteGate>();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var longWrites = 0;
        using var stop = new CancellationTokenSource();

        // Long writes back to back, as an ingest's requests come: each takes a turn, holds SQLite's lock 50 ms, commits.
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var turn = await gate.EnterAsync(db, busy.WorkspaceId, CancellationToken.None);
                await using var transaction = await db.Database.BeginTransactionAsync();
                await db.Database.ExecuteSqlAsync($"UPDATE \"Workspaces\" SET \"Name\" = \"Name\" WHERE \"Id\" = {busy.WorkspaceId}");
                await Task.Delay(50);
                await transaction.CommitAsync();
                Interlocked.Increment(ref longWrites);
            }
        });
        while (Volatile.Read(ref longWrites) < 2)
            await Task.Delay(10);

        var before = Volatile.Read(ref longWrites);
        var response = await ws.Http.PutAsJsonAsync("/api/v1/alert-rules", new { rules = new[] { new { rule = "side_silent", hours = 24 } } }, ApiFactory.Json);
        var waited = Volatile.Read(ref longWrites) - before;
        await stop.CancelAsync();
        await writer;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Its turn comes after the write under way (and any other short write the request makes before it): a handful of
        // 50 ms writes, where SQLite's busy handler found the lock free only between two of them, by luck.
        Assert.True(waited <= 4, $"the change waited out {waited} long writes");
        Assert.Equal(0, gate.Waiting);
    }
}
