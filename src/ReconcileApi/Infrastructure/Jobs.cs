using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.Logging;
using Hangfire.SqlServer;
using Microsoft.AspNetCore.Http.Features;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// Hangfire executes; our own tables are the truth about a run. On SQL Server the job storage is
/// SQL Server, so jobs survive restarts and spread across processes. On SQLite the storage is
/// in memory (Hangfire.Storage.SQLite 0.4 was measured to run one job several times at once: its
/// dequeue lock is in-process and never renewed) and a start-up pass re-enqueues the runs left
/// queued or running, which is safe because a SQLite file has exactly one process.
/// </summary>
public static class Jobs
{
    public const string DefaultQueue = "default";

    public static IServiceCollection AddJobs(this IServiceCollection services, ServiceOptions options)
    {
        // The storage and activator are registered per host (not through Hangfire's static
        // JobStorage.Current), so that several hosts in one process never share a queue.
        if (options.Database.Provider == DatabaseProvider.SqlServer)
        {
            services.AddSingleton<JobStorage>(_ => new SqlServerStorage(options.ConnectionString, new SqlServerStorageOptions
            {
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.Zero,
                SlidingInvisibilityTimeout = TimeSpan.FromMinutes(5),
                DisableGlobalLocks = true,
            }));
        }
        else
        {
            services.AddSingleton<JobStorage>(_ => new InMemoryStorage());
        }
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c
            .UseLogProvider(new HostLogProvider(new AspNetCoreLogProvider(sp.GetRequiredService<ILoggerFactory>())))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // With IAntiforgery registered the dashboard puts a token in its pages and refuses a POST without it: a browser
        // sends its Basic credentials with any site's form, which could otherwise delete or requeue jobs as the admin.
        services.AddAntiforgery();

        var workers = options.Jobs.WorkerCount;
        if (workers > 0)
        {
            services.AddHangfireServer(o =>
            {
                // Only the default queue: queues of their own (webhooks) have servers of their own, so a backlog
                // there never takes the workers runs need.
                o.Queues = [DefaultQueue];
                o.WorkerCount = workers;
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
        }
        return services;
    }

    const string DashboardPath = "/hangfire";

    public static WebApplication UseJobsDashboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseKeyChallenge(DashboardPath);
        // /stats and the batch commands (delete, requeue, trigger…) are POSTs from the dashboard's own script, but Hangfire
        // reads their form whatever the method, and a GET made it throw ("Incorrect Content-Type", a 500). A request that is
        // not a POST gets a form that refuses to be read, and the answer is 405, as Hangfire's single-job commands give; every
        // 405 here says Allow: POST (Hangfire's own leave the header out). A POST whose body is declared as something other
        // than a form (JSON, say) gets 415.
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var post = HttpMethods.IsPost(request.Method);
            if (!request.Path.StartsWithSegments(DashboardPath) || (post && (request.ContentType is null || request.HasFormContentType)))
            {
                await next(context);
                return;
            }
            context.Features.Set<IFormFeature>(new NoForm());
            try
            {
                await next(context);
            }
            catch (NoForm.ReadException) when (!context.Response.HasStarted)
            {
                if (post)
                {
                    await Problems.UnsupportedMediaType(
                        $"The dashboard's commands take a form (Content-Type: application/x-www-form-urlencoded), not '{request.ContentType}'.").ExecuteAsync(context);
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            }
            if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !context.Response.HasStarted)
                context.Response.Headers.Allow = HttpMethods.Post;
        });
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new DashboardAuthorization(app.Environment.IsDevelopment())],
            DisplayStorageConnectionString = false,
        });
        return app;
    }

    sealed class NoForm : IFormFeature
    {
        public sealed class ReadException() : InvalidOperationException("Only a POST has a form here.");

        public bool HasFormContentType => false;
        public IFormCollection? Form { get => null; set { } }
        public IFormCollection ReadForm() => throw new ReadException();
        public Task<IFormCollection> ReadFormAsync(CancellationToken cancellationToken) => throw new ReadException();
    }

    /// <summary>
    /// Hangfire's log provider is process-wide; when a host that set it is disposed (test hosts are)
    /// the other hosts must not fail on its disposed logger factory, so such lookups log nothing.
    /// </summary>
    sealed class HostLogProvider(ILogProvider inner) : ILogProvider
    {
        public ILog GetLogger(string name)
        {
            try
            {
                return inner.GetLogger(name);
            }
            catch (ObjectDisposedException)
            {
                return Silent.Instance;
            }
        }

        sealed class Silent : ILog
        {
            public static readonly Silent Instance = new();
            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
        }
    }

    /// <summary>Open in Development; elsewhere only the admin key (X-Api-Key, Bearer or Basic) opens it.</summary>
    sealed class DashboardAuthorization(bool isDevelopment) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            isDevelopment || context.GetHttpContext().User.IsInRole("admin");
    }
}
