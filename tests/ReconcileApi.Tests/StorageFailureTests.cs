using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Features.Runs;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The database file cannot be written for a while — its disk is full (SQLITE_FULL, 13) or it became read-only (SQLITE_READONLY,
/// 8: a remount, a restore, permissions) — while reads still work. Filling a disk is not something a test can do to a shared
/// machine, so the test host makes every write command fail as SQLite's do in that state; reads are left alone. What is
/// checked: each request answers what happened and keeps nothing half done, and everything works again once the condition
/// clears, without a restart.
/// </summary>
public sealed partial class StorageFailureTests(StorageFailureTests.Factory factory) : IClassFixture<StorageFailureTests.Factory>
{
    /// <summary>
    /// A write that met a full disk or a read-only file was a 500 "unexpected error" to quote a trace id for. It is a 503 with
    /// Retry-After saying the database cannot be written just now, nothing of the request is kept (its Idempotency-Key is not
    /// used up), reads still answer, and the same requests succeed once the disk has room again.
    /// </summary>
    [Theory]
    [InlineData(13, "full")]
    [InlineData(8, "read-only")]
    public async Task AWriteThatMetAFullDiskOrAReadOnlyFile_Is503WithRetryAfter_AndGoesThroughOnceItClears(int code, string says)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        HttpRequestMessage Ingest()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/store/orders") { Content = JsonContent.Create(new[] { Order("SF-" + code) }, options: ApiFactory.Json) };
            request.Headers.Add("Idempotency-Key", "storage-" + code);
            return request;
        }

        factory.FailWritesWith = code;
        HttpResponseMessage[] refused;
        try
        {
            refused =
            [
                await ws.Http.SendAsync(Ingest()),
                await ws.Http.PostAsJsonAsync("/api/v1/runs", new { label = "while full" }),
                await ws.Http.PostAsJsonAsync("/api/v1/schedules", new { name = "Nightly", cron = "0 6 * * *" }),
                await ws.Http.PutAsJsonAsync("/api/v1/alert-rules", new { rules = new[] { new { rule = "run_failed" } } }),
            ];
            Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync("/api/v1/runs")).StatusCode);
        }
        finally
        {
            factory.FailWritesWith = 0;
        }

        foreach (var response in refused)
        {
            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, says);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"No Retry-After on {response.RequestMessage!.RequestUri}");
        }
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/runs")).Json()).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await (await ws.Http.GetAsync("/api/v1/schedules")).Json()).GetArrayLength());
        var again = await ws.Http.SendAsync(Ingest());
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(1, (await again.Json()).GetProperty("inserted").GetInt32());
        await ws.Http.RunAsync();
    }

    /// <summary>
    /// A run whose save met a full disk could not record that it failed either (that is a write too): its job ended with the
    /// run left <c>running</c>, and as a workspace runs one run at a time, every later run of the workspace stayed
    /// <c>queued</c> until the service was restarted. The run is tried again until the database takes writes, then completes;
    /// the workspace's next run follows.
    /// </summary>
    [Fact]
    public async Task ARunWhoseSaveMetAFullDisk_CompletesOnceTheDiskHasRoom_AndTheWorkspacesNextRunFollows()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("SF-R1") });
        factory.Refused.Clear();
        factory.FailFromSaveOf = ws.WorkspaceId;

        var started = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { label = "met a full disk" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        // Until the job has tried to record the failure as well, the disk stays full.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!factory.Refused.Any(sql => sql.Contains("\"Error\" =", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The run never tried to record its failure: " + string.Join("\n", factory.Refused));
            await Task.Delay(25);
        }
        await Task.Delay(500);
        factory.FailWritesWith = 0;

        var run = await ws.Http.WaitForRunAsync(started.Headers.Location!.ToString(), TimeSpan.FromSeconds(30));
        Assert.True(run.GetProperty("status").GetString() is "succeeded" or "failed", run.ToString());
        var next = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { label = "after" });
        var after = await ws.Http.WaitForRunAsync(next.Headers.Location!.ToString(), TimeSpan.FromSeconds(30));
        Assert.Equal("succeeded", after.GetProperty("status").GetString());
        Assert.Single(await ws.Http.DiscrepanciesAsync());
    }

    public sealed class Factory : ApiFactory
    {
        /// <summary>The SQLite error every write command ends with (0: none).</summary>
        public volatile int FailWritesWith;

        /// <summary>A workspace whose next run's save turns the disk full (from the checkpoint inside its transaction on).</summary>
        public Guid? FailFromSaveOf;

        public readonly ConcurrentQueue<string> Refused = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.ConfigureDbContext<SqliteReconcileDbContext>(o => o.AddInterceptors(new UnwritableDatabase(this)));
                services.AddSingleton<RunCheckpoints>(new DiskFullWhileSaving(this));
            });
        }
    }

    sealed class DiskFullWhileSaving(Factory factory) : RunCheckpoints
    {
        public override Task WhileSavingAsync(Guid runId, CancellationToken ct)
        {
            if (factory.FailFromSaveOf is not null)
            {
                factory.FailFromSaveOf = null;
                factory.FailWritesWith = 13;
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>While <see cref="Factory.FailWritesWith"/> is set, every command that writes fails as SQLite's do on a full disk or a read-only file.</summary>
    sealed partial class UnwritableDatabase(Factory factory) : DbCommandInterceptor
    {
        [GeneratedRegex(@"\b(INSERT|UPDATE|DELETE|REPLACE)\b")]
        private static partial Regex Writes();

        void ThrowIfUnwritable(DbCommand command)
        {
            var code = factory.FailWritesWith;
            if (code == 0 || !Writes().IsMatch(command.CommandText))
                return;
            factory.Refused.Enqueue(command.CommandText);
            throw code == 13
                ? new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)
                : new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            ThrowIfUnwritable(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            ThrowIfUnwritable(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            ThrowIfUnwritable(command);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
