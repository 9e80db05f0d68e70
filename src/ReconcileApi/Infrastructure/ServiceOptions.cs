using FluentValidation;
using Microsoft.Extensions.Options;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// The service's configuration (README, "Configuration"), bound once at start and validated before anything
/// is registered: a bad value stops the service with a message that names its key. Code reads these
/// properties (or <c>IOptions&lt;ServiceOptions&gt;</c>), never configuration keys.
/// </summary>
public sealed class ServiceOptions
{
    public DatabaseSection Database { get; set; } = new();
    public ConnectionStringsSection ConnectionStrings { get; set; } = new();
    public AuthSection Auth { get; set; } = new();
    public JobsSection Jobs { get; set; } = new();
    public LimitsSection Limits { get; set; } = new();
    public RateLimitSection RateLimit { get; set; } = new();
    public SwaggerSection Swagger { get; set; } = new();
    public RetentionSection Retention { get; set; } = new();
    public WebhooksSection Webhooks { get; set; } = new();
    public ForwardedHeadersSection ForwardedHeaders { get; set; } = new();

    public sealed class DatabaseSection
    {
        public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
        /// <summary>Apply migrations at start; by default on SQLite only (a SQL Server schema is deployed on purpose).</summary>
        public bool? MigrateOnStartup { get; set; }
        public bool Migrates => MigrateOnStartup ?? Provider == DatabaseProvider.Sqlite;
        /// <summary>Retry transient failures through an execution strategy; by default on SQL Server only.</summary>
        public bool? RetryOnFailure { get; set; }
        public bool Retries => RetryOnFailure ?? Provider == DatabaseProvider.SqlServer;
    }

    public sealed class ConnectionStringsSection
    {
        /// <summary>After <see cref="Load"/>: the one given, or on SQLite a file in ./data under the content root.</summary>
        public string? Reconcile { get; set; }
    }

    public sealed class AuthSection
    {
        /// <summary>The admin key; none means no admin access.</summary>
        public string? AdminKey { get; set; }
        public string DevelopmentApiKey { get; set; } = WellKnownDevelopmentApiKey;

        /// <summary>The README prints it: <see cref="Auth"/> refuses it outside Development.</summary>
        public const string WellKnownDevelopmentApiKey = "rk_dev_local_only_key";
    }

    public sealed class JobsSection
    {
        /// <summary>Hangfire workers in this process; 0 serves HTTP only.</summary>
        public int WorkerCount { get; set; } = Environment.ProcessorCount;
    }

    public sealed class LimitsSection
    {
        public long MaxRequestBodyBytes { get; set; } = 30 * 1024 * 1024;
    }

    public sealed class RateLimitSection
    {
        /// <summary>Requests a minute per API key (and per client address without a valid key).</summary>
        public int PermitsPerMinute { get; set; } = 600;
    }

    public sealed class SwaggerSection
    {
        /// <summary>Whether the contract and the Swagger UI answer without a key; after <see cref="Load"/>: true in Development unless set.</summary>
        public bool? Public { get; set; }
    }

    public sealed class RetentionSection
    {
        /// <summary>Hours an idempotency key replays its first answer; the purge drops it after.</summary>
        public int IdempotencyHours { get; set; } = 24;
        /// <summary>Days a batch keeps its raw payload (the rejected records as sent; its receipt stays).</summary>
        public int BatchPayloadDays { get; set; } = 90;
        /// <summary>Days a replaced version of an order is kept.</summary>
        public int OrderVersionDays { get; set; } = 180;
        /// <summary>Days a finished webhook delivery (succeeded or failed) and its attempts stay in the log.</summary>
        public int WebhookDeliveryDays { get; set; } = 30;
        /// <summary>When the daily purge runs (cron, UTC).</summary>
        public string Cron { get; set; } = "30 3 * * *";
    }

    public sealed class WebhooksSection
    {
        /// <summary>Let webhooks and run callbacks reach loopback, private, link-local, metadata and reserved addresses and the machine's own (tests, a private network).</summary>
        public bool AllowPrivateTargets { get; set; }
        /// <summary>Hangfire workers of the <c>webhooks</c> queue in this process (apart from <see cref="JobsSection.WorkerCount"/>); 0 delivers none here.</summary>
        public int WorkerCount { get; set; } = 4;
        /// <summary>Attempts a minute of one workspace to one target host from this process; more wait, without counting as attempts.</summary>
        public int PerTargetPerMinute { get; set; } = 60;
        /// <summary>
        /// The waits after each failed attempt (Standard Webhooks' schedule after the immediate first attempt), one
        /// string such as <c>"5s 5m 30m 2h 5h 10h 10h"</c>: the configuration binder appends to a list's defaults
        /// instead of replacing them, so a list could not be shortened from configuration.
        /// </summary>
        public string RetrySchedule { get; set; } = "5s 5m 30m 2h 5h 10h 10h";

        /// <summary><see cref="RetrySchedule"/> read; null when it does not parse (the validator says so at start).</summary>
        public IReadOnlyList<TimeSpan>? RetryDelays() => Durations.TryParseList(RetrySchedule, out var delays) ? delays : null;
    }

    public sealed class ForwardedHeadersSection
    {
        /// <summary>Read the client's scheme and address from <c>X-Forwarded-Proto</c>/<c>X-Forwarded-For</c> (behind a reverse proxy).</summary>
        public bool Enabled { get; set; }
        /// <summary>
        /// The networks whose proxies are believed besides loopback, CIDR separated by spaces or commas (<c>10.0.0.0/8 fd00::/8</c>);
        /// one string for the reason <see cref="WebhooksSection.RetrySchedule"/> is.
        /// </summary>
        public string KnownNetworks { get; set; } = "";
        /// <summary>How many proxies' entries of <c>X-Forwarded-For</c> are read, from the right.</summary>
        public int ForwardLimit { get; set; } = 1;

        /// <summary><see cref="KnownNetworks"/> read; null when one does not parse (the validator says so at start).</summary>
        public IReadOnlyList<System.Net.IPNetwork>? Networks()
        {
            var networks = new List<System.Net.IPNetwork>();
            foreach (var text in KnownNetworks.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!System.Net.IPNetwork.TryParse(text, out var network))
                    return null;
                networks.Add(network);
            }
            return networks;
        }
    }

    public string ConnectionString => ConnectionStrings.Reconcile!;

    /// <summary>Binds and validates the configuration; throws <see cref="OptionsValidationException"/> naming each bad key.</summary>
    public static ServiceOptions Load(IConfiguration configuration, IHostEnvironment environment)
    {
        ServiceOptions options;
        try
        {
            options = configuration.Get<ServiceOptions>() ?? new ServiceOptions();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value it could not convert.
            throw new OptionsValidationException(nameof(ServiceOptions), typeof(ServiceOptions), [e.Message]);
        }
        var result = new Validator(environment.IsDevelopment()).Validate(options);
        if (!result.IsValid)
            throw new OptionsValidationException(nameof(ServiceOptions), typeof(ServiceOptions), result.Errors.Select(e => e.ErrorMessage));
        options.Swagger.Public ??= environment.IsDevelopment();
        if (string.IsNullOrWhiteSpace(options.ConnectionStrings.Reconcile))
        {
            var folder = Path.Combine(environment.ContentRootPath, "data");
            Directory.CreateDirectory(folder);
            options.ConnectionStrings.Reconcile = $"Data Source={Path.Combine(folder, "reconcile.db")}";
        }
        return options;
    }

    /// <summary>Outside Development an admin key must be long enough not to be guessed (at 600 guesses a minute per address).</summary>
    public const int MinAdminKeyLength = 32;

    sealed class Validator : AbstractValidator<ServiceOptions>
    {
        public Validator(bool development)
        {
            RuleFor(o => o.Database.Provider).IsInEnum()
                .WithMessage(o => $"Database:Provider must be Sqlite or SqlServer; it is '{o.Database.Provider}'.");
            RuleFor(o => o.ConnectionStrings.Reconcile).NotEmpty().When(o => o.Database.Provider == DatabaseProvider.SqlServer)
                .WithMessage("ConnectionStrings:Reconcile is required when Database:Provider is SqlServer.");
            RuleFor(o => o.Auth.AdminKey).Must(k => k is null || k.Trim().Length > 0)
                .WithMessage("Auth:AdminKey is blank; leave it out for no admin access, or set a key.");
            RuleFor(o => o.Auth.AdminKey).Must(k => k is null || k.Trim().Length == 0 || k.Length >= MinAdminKeyLength).When(_ => !development)
                .WithMessage(o => $"Auth:AdminKey must be at least {MinAdminKeyLength} characters outside Development; it has {o.Auth.AdminKey!.Length}. Generate one, e.g. `openssl rand -base64 32`.");
            RuleFor(o => o.Auth.DevelopmentApiKey).NotEmpty()
                .WithMessage("Auth:DevelopmentApiKey is blank; leave it out for the default key, or set one.");
            RuleFor(o => o.Jobs.WorkerCount).InclusiveBetween(0, 1000)
                .WithMessage(o => $"Jobs:WorkerCount must be between 0 (serve HTTP only) and 1000; it is {o.Jobs.WorkerCount}.");
            RuleFor(o => o.RateLimit.PermitsPerMinute).InclusiveBetween(1, 1_000_000)
                .WithMessage(o => $"RateLimit:PermitsPerMinute must be between 1 and 1000000; it is {o.RateLimit.PermitsPerMinute}.");
            RuleFor(o => o.Retention.OrderVersionDays).InclusiveBetween(1, 36_500)
                .WithMessage(o => $"Retention:OrderVersionDays must be between 1 and 36500; it is {o.Retention.OrderVersionDays}.");
            RuleFor(o => o.Retention.BatchPayloadDays).InclusiveBetween(1, 36_500)
                .WithMessage(o => $"Retention:BatchPayloadDays must be between 1 and 36500; it is {o.Retention.BatchPayloadDays}.");
            RuleFor(o => o.Retention.WebhookDeliveryDays).InclusiveBetween(1, 36_500)
                .WithMessage(o => $"Retention:WebhookDeliveryDays must be between 1 and 36500; it is {o.Retention.WebhookDeliveryDays}.");
            RuleFor(o => o.Retention.IdempotencyHours).InclusiveBetween(1, 24 * 365)
                .WithMessage(o => $"Retention:IdempotencyHours must be between 1 and 8760; it is {o.Retention.IdempotencyHours}.");
            RuleFor(o => o.Retention.Cron).Must(c => Cronos.CronExpression.TryParse(c, out _))
                .WithMessage(o => $"Retention:Cron must be a cron expression such as '30 3 * * *'; it is '{o.Retention.Cron}'.");
            RuleFor(o => o.Webhooks.WorkerCount).InclusiveBetween(0, 1000)
                .WithMessage(o => $"Webhooks:WorkerCount must be between 0 (deliver none in this process) and 1000; it is {o.Webhooks.WorkerCount}.");
            RuleFor(o => o.Webhooks.PerTargetPerMinute).InclusiveBetween(1, 1_000_000)
                .WithMessage(o => $"Webhooks:PerTargetPerMinute must be between 1 and 1000000; it is {o.Webhooks.PerTargetPerMinute}.");
            RuleFor(o => o.Webhooks).Must(w => w.RetryDelays() is { Count: <= 20 } delays && delays.All(d => d <= TimeSpan.FromDays(7)))
                .WithMessage(o => $"Webhooks:RetrySchedule must be at most 20 waits of at most 7 days each, separated by spaces, each a number and a unit (ms, s, m, h, d), such as '5s 5m 30m 2h 5h 10h 10h'; it is '{o.Webhooks.RetrySchedule}'.");
            RuleFor(o => o.ForwardedHeaders).Must(f => f.Networks() is not null)
                .WithMessage(o => $"ForwardedHeaders:KnownNetworks must be networks in CIDR notation separated by spaces, such as '10.0.0.0/8 172.16.0.0/12'; it is '{o.ForwardedHeaders.KnownNetworks}'.");
            RuleFor(o => o.ForwardedHeaders.ForwardLimit).InclusiveBetween(1, 10)
                .WithMessage(o => $"ForwardedHeaders:ForwardLimit must be between 1 and 10; it is {o.ForwardedHeaders.ForwardLimit}.");
            RuleFor(o => o.Limits.MaxRequestBodyBytes).InclusiveBetween(1, Array.MaxLength)
                .WithMessage(o => $"Limits:MaxRequestBodyBytes must be between 1 and {Array.MaxLength} bytes; it is {o.Limits.MaxRequestBodyBytes}.");
        }
    }
}

/// <summary>Durations as people write them in configuration: <c>500ms</c>, <c>5s</c>, <c>30m</c>, <c>2h</c>, <c>1d</c>.</summary>
public static class Durations
{
    /// <summary>A list separated by spaces or commas; an empty text is an empty list.</summary>
    public static bool TryParseList(string? text, out List<TimeSpan> values)
    {
        values = [];
        foreach (var part in (text ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParse(part, out var value))
                return false;
            values.Add(value);
        }
        return true;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
            digits++;
        if (digits == 0 || digits > 9 || !int.TryParse(text.AsSpan(0, digits), System.Globalization.CultureInfo.InvariantCulture, out var number))
            return false;
        TimeSpan? parsed = text[digits..].ToLowerInvariant() switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            "d" => TimeSpan.FromDays(number),
            _ => null,
        };
        value = parsed ?? default;
        return parsed is not null;
    }
}

public static class ServiceOptionsExtensions
{
    /// <summary>Loads the options (see <see cref="ServiceOptions.Load"/>) and registers them for injection.</summary>
    public static ServiceOptions AddServiceOptions(this WebApplicationBuilder builder)
    {
        var options = ServiceOptions.Load(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(Options.Create(options));
        return options;
    }
}
