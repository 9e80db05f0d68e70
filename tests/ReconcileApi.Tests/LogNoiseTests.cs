using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReconcileApi.Tests;

/// <summary>
/// An operator reads error entries as something to act on: a write that lost a race the service decides again (a version
/// number another request took, an Idempotency-Key another request claimed) is not one, and must not log as one.
/// </summary>
public sealed class LogNoiseTests(LogNoiseTests.Factory factory) : IClassFixture<LogNoiseTests.Factory>
{
    [Fact]
    public async Task RacesTheServiceDecidesAgain_LogNoErrors_AndAFailureItDoesNotHandleStillDoes()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        factory.Entries.Clear();

        // Ten at once, the most the service promises to serve together (SettingsApi.MaxWriters: each try a PUT loses is a version
        // another one wrote, so ten PUTs need at most ten tries). Twelve could need twelve: 429 with Retry-After is then the
        // service's answer, and this test failed whenever the write gate's turns made one PUT lose eleven times.
        var puts = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => ws.Http.PutAsJsonAsync("/api/v1/settings", new { amountTolerance = i })));

        Assert.All(puts, p => Assert.Equal(HttpStatusCode.OK, p.StatusCode));
        var errors = factory.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Level} {e.Category}: {e.Message}")));

        // A database failure nothing decides again is a 500 and an error entry with the SQL error.
        await factory.ExecuteSqlAsync("CREATE TRIGGER broken BEFORE INSERT ON SettingsVersions WHEN NEW.Json LIKE '%4321%' BEGIN SELECT 1 FROM NoSuchTable; END;");
        var failed = await ws.Http.PutAsJsonAsync("/api/v1/settings", new { amountTolerance = 4321 });

        Assert.True(failed.StatusCode == HttpStatusCode.InternalServerError, await failed.Content.ReadAsStringAsync());
        Assert.Contains(factory.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("no such table: main.NoSuchTable"));
    }

    public sealed record Entry(string Category, LogLevel Level, string Message);

    public sealed class Factory : ApiFactory
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(new Capture(Entries)));
        }
    }

    sealed class Capture(ConcurrentQueue<Entry> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);
        public void Dispose() { }

        sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new(category, logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)}\n{exception}"));
        }
    }
}
