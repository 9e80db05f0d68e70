using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Tests;

/// <summary>A bad configuration value stops the service at start, with a message that names the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Jobs:WorkerCount", "-1", "Jobs:WorkerCount must be between 0 (serve HTTP only) and 1000; it is -1.")]
    [InlineData("Jobs:WorkerCount", "many", "'many' at 'Jobs:WorkerCount'")]
    [InlineData("Limits:MaxRequestBodyBytes", "0", "Limits:MaxRequestBodyBytes must be between 1 and")]
    [InlineData("Database:Provider", "Postgres", "'Postgres' at 'Database:Provider'")]
    [InlineData("Database:Provider", "7", "Database:Provider must be Sqlite or SqlServer; it is '7'.")]
    [InlineData("Database:MigrateOnStartup", "sometimes", "'sometimes' at 'Database:MigrateOnStartup'")]
    [InlineData("Auth:AdminKey", "  ", "Auth:AdminKey is blank")]
    [InlineData("Auth:DevelopmentApiKey", "", "Auth:DevelopmentApiKey is blank")]
    [InlineData("Auth:AdminKey", "short-key", "Auth:AdminKey must be at least 32 characters outside Development; it has 9.")]
    [InlineData("RateLimit:PermitsPerMinute", "0", "RateLimit:PermitsPerMinute must be between 1 and 1000000")]
    [InlineData("Retention:Cron", "every night", "Retention:Cron must be a cron expression such as '30 3 * * *'; it is 'every night'.")]
    [InlineData("Retention:OrderVersionDays", "0", "Retention:OrderVersionDays must be between 1 and 36500")]
    [InlineData("Webhooks:RetrySchedule", "5s 5 minutes", "Webhooks:RetrySchedule must be at most 20 waits")]
    [InlineData("Webhooks:RetrySchedule", "5s 8d", "it is '5s 8d'.")]
    [InlineData("Webhooks:WorkerCount", "-1", "Webhooks:WorkerCount must be between 0 (deliver none in this process) and 1000; it is -1.")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/8 the proxy", "ForwardedHeaders:KnownNetworks must be networks in CIDR notation")]
    [InlineData("ForwardedHeaders:ForwardLimit", "0", "ForwardedHeaders:ForwardLimit must be between 1 and 10; it is 0.")]
    [InlineData("Webhooks:PerTargetPerMinute", "0", "Webhooks:PerTargetPerMinute must be between 1 and 1000000")]
    public void ABadValue_StopsTheServiceAtStart_NamingTheKey(string key, string value, string message)
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b.UseSetting(key, value));

        AssertStopsWith(factory, message);
    }

    [Fact]
    public void SqlServer_WithoutAConnectionString_StopsTheServiceAtStart()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("Database:Provider", "SqlServer")
            .UseSetting("ConnectionStrings:Reconcile", ""));

        AssertStopsWith(factory, "ConnectionStrings:Reconcile is required when Database:Provider is SqlServer.");
    }

    [Fact]
    public void GoodValues_AreBoundOnce_AndInjected()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("Limits:MaxRequestBodyBytes", "12345"));

        var options = factory.Services.GetService(typeof(IOptions<ReconcileApi.Infrastructure.ServiceOptions>)) as IOptions<ReconcileApi.Infrastructure.ServiceOptions>;

        Assert.Equal(12345, options!.Value.Limits.MaxRequestBodyBytes);
        Assert.Equal(2, options.Value.Jobs.WorkerCount);
        Assert.Equal(ApiFactory.AdminKey, options.Value.Auth.AdminKey);
    }

    static void AssertStopsWith(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, string message)
    {
        var thrown = Assert.ThrowsAny<Exception>(() => factory.Server);
        var chain = new List<Exception>();
        for (Exception? e = thrown; e is not null; e = e.InnerException)
            chain.Add(e);
        var invalid = chain.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.True(invalid is not null, thrown.ToString());
        Assert.Contains(message, invalid.Message);
    }
}
