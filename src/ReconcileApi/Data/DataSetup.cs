using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ReconcileApi.Data;

public enum DatabaseProvider { Sqlite, SqlServer }

public static class DataSetup
{
    public static DatabaseProvider Provider(this IConfiguration configuration) =>
        configuration.GetValue("Database:Provider", DatabaseProvider.Sqlite);

    /// <summary>The connection string; on SQLite the default is a file in ./data, created on demand.</summary>
    public static string ConnectionString(this IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString("Reconcile");
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        if (configuration.Provider() == DatabaseProvider.SqlServer)
            throw new InvalidOperationException("ConnectionStrings:Reconcile is required when Database:Provider is SqlServer.");
        var folder = Path.Combine(environment.ContentRootPath, "data");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "reconcile.db")}";
    }

    public static WebApplicationBuilder AddReconcileData(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.ConnectionString(builder.Environment);
        if (builder.Configuration.Provider() == DatabaseProvider.SqlServer)
        {
            builder.Services.AddDbContext<ReconcileDbContext, SqlServerReconcileDbContext>(o =>
                o.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure()));
        }
        else
        {
            builder.Services.AddDbContext<ReconcileDbContext, SqliteReconcileDbContext>(o =>
                o.UseSqlite(connectionString, sqlite => sqlite
                    .CommandTimeout(60)
                    // A list (ids.Contains) as one JSON parameter read with json_each: Microsoft.Data.Sqlite
                    // binds parameters by name in linear time, so a thousand of them cost more than the query.
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
                .AddInterceptors(new SqlitePragmas()));
        }
        builder.Services.AddHealthChecks().AddDbContextCheck<ReconcileDbContext>("database", tags: ["ready"]);
        return builder;
    }

    public static bool MigrateOnStartup(this IConfiguration configuration) =>
        configuration.GetValue("Database:MigrateOnStartup", configuration.Provider() == DatabaseProvider.Sqlite);

    /// <summary>Applies migrations (when configured) and, on SQLite, switches the file to WAL so readers do not block the writer.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        if (app.Configuration.MigrateOnStartup())
            await db.Database.MigrateAsync();
        if (app.Configuration.Provider() == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }
}

// Design-time factories: `scripts/add-migration.sh` uses them so that the EF tools never start the host.
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReconcileDbContext>
{
    public SqliteReconcileDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReconcileDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerReconcileDbContext>
{
    public SqlServerReconcileDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerReconcileDbContext>().UseSqlServer("Server=.;Database=ReconcileApi;Trusted_Connection=True;TrustServerCertificate=True").Options);
}
