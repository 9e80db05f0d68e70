using System.Net;
using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using ReconcileApi.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// Another process holding the database's write lock (a backup, a migration, a second service on the file) past what the
/// service waits (SQLite's busy timeout of 30 s, then the execution strategy's retries) is nothing wrong with the request:
/// 503 with Retry-After, where it was a 500 "unexpected error". The wait itself takes a minute, so the test host makes the
/// database's commands fail the way SQLite's do at its end (error 5, database is locked).
/// </summary>
public sealed class DatabaseBusyTests(DatabaseBusyTests.Factory factory) : IClassFixture<DatabaseBusyTests.Factory>
{
    [Fact]
    public async Task ARequestThatMetALockedDatabase_Is503WithRetryAfter_AndItsIdempotencyKeyIsNotUsedUp()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        HttpRequestMessage Ingest()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sources/store/orders")
            {
                Content = JsonBody("""[{"orderId": "B1", "orderNumber": "#1", "total": 5, "currency": "USD", "orderDate": "2026-11-10T10:00:00Z"}]"""),
            };
            request.Headers.Add("Idempotency-Key", "busy-1");
            return request;
        }
        factory.Locked = true;

        var busy = await ws.Http.SendAsync(Ingest());

        factory.Locked = false;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), busy.Headers.RetryAfter?.Delta);
        Assert.Contains("locked by another writer", (await busy.Json()).GetProperty("detail").GetString());
        var again = await ws.Http.SendAsync(Ingest());
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(1, (await again.Json()).GetProperty("inserted").GetInt32());
    }

    public sealed class Factory : ApiFactory
    {
        public volatile bool Locked;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
                services.ConfigureDbContext<SqliteReconcileDbContext>(o => o.AddInterceptors(new LockedDatabase(this))));
        }
    }

    /// <summary>While <see cref="Factory.Locked"/>, every command ends as one does that waited out a lock another process held.</summary>
    sealed class LockedDatabase(Factory factory) : DbCommandInterceptor
    {
        void ThrowIfLocked()
        {
            if (factory.Locked)
                throw new SqliteException("SQLite Error 5: 'database is locked'.", 5);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            ThrowIfLocked();
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            ThrowIfLocked();
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            ThrowIfLocked();
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
