using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ReconcileApi.Data;

/// <summary>
/// The one model. Each provider has its own subclass so that each keeps its own migrations
/// (EF Core docs, "Migrations with multiple providers").
/// </summary>
public abstract class ReconcileDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<StoredOrder> Orders => Set<StoredOrder>();
    public DbSet<OrderVersion> OrderVersions => Set<OrderVersion>();
    public DbSet<Batch> Batches => Set<Batch>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunPendingOrder> RunPendingOrders => Set<RunPendingOrder>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<RunDay> RunDays => Set<RunDay>();
    public DbSet<Discrepancy> Discrepancies => Set<Discrepancy>();
    public DbSet<RunDiscrepancy> RunDiscrepancies => Set<RunDiscrepancy>();
    public DbSet<DiscrepancyEvent> DiscrepancyEvents => Set<DiscrepancyEvent>();
    public DbSet<SettingsVersion> SettingsVersions => Set<SettingsVersion>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or sum decimal: money is a fixed-scale integer (4 places, which
        // covers BigCommerce's 4-decimal amounts) on both providers.
        configurationBuilder.Properties<decimal>().HaveConversion<MoneyConverter>();
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<OrderSource>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Category>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<Severity>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RunStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RunPhase>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<DiscrepancyState>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<WebhookDeliveryStatus>().HaveConversion<string>().HaveMaxLength(16);
        // Stored as on the wire ("seen_again", "verified_fixed"), as they were when they were strings.
        configurationBuilder.Properties<DiscrepancyEventKind>().HaveConversion<WireEnumConverter<DiscrepancyEventKind>>().HaveMaxLength(32);
        configurationBuilder.Properties<ResolutionAction>().HaveConversion<WireEnumConverter<ResolutionAction>>().HaveMaxLength(32);
    }

    /// <summary>
    /// SQL Server's default collation (usually SQL_Latin1_General_CP1_CI_AS) compares text without case or trailing spaces;
    /// SQLite and the code compare exactly. Order ids, Idempotency-Keys and a discrepancy's identity are identifiers, so on
    /// SQL Server they compare by their code points too: "so-1a" and "SO-1A" are two orders, two keys, two findings.
    /// </summary>
    public const string OrdinalCollation = "Latin1_General_100_BIN2";

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Workspace>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Timezone).HasMaxLength(64);
        });
        b.Entity<ApiKey>(e =>
        {
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.Prefix).HasMaxLength(16);
            e.HasIndex(x => x.Hash).IsUnique();
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<StoredOrder>(e =>
        {
            e.ToTable("Orders");
            e.Property(x => x.OrderId).HasMaxLength(100);
            if (Database.IsSqlServer())
                e.Property(x => x.OrderId).UseCollation(OrdinalCollation);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.Property(x => x.SentHash).HasMaxLength(16);
            // A record sent again is recognised from the index alone (SentRecord), without a random table page per order:
            // 1,000 of a million ids in 3.3-4.8 ms instead of 8-12 ms; resends of a million orders 90,368-108,316 a second
            // instead of 75,898-83,874 (interleaved). On SQLite it is a second index, which an order inserted at a random
            // place pays for (+40 % log pages per 1,000 shuffled inserts; appended when ids grow with time, as they do).
            if (Database.IsSqlServer())
                e.HasIndex(x => new { x.WorkspaceId, x.Source, x.OrderId }).IsUnique().IncludeProperties(x => x.SentHash);
            else
            {
                e.HasIndex(x => new { x.WorkspaceId, x.Source, x.OrderId }).IsUnique();
                e.HasIndex(x => new { x.WorkspaceId, x.Source, x.OrderId, x.SentHash });
            }
            // A run reads a side's window from this index alone, without visiting the table: the binary form rides
            // along. Measured on 200k orders a side: 66 ms instead of 540 ms through the table. On SQLite (no INCLUDE:
            // the binary form is a key column) the index is keyed by the order's block of ids before its date, an
            // expression index EF cannot model (migration OrderDateIndexByIdBlock, Features/Orders/IdBlockIndexes.cs).
            if (Database.IsSqlServer())
                e.HasIndex(x => new { x.WorkspaceId, x.Source, x.OrderDate }).IncludeProperties(x => x.Compact);
            e.Property(x => x.OrderNumber).HasMaxLength(200);
            e.Property(x => x.CustomerEmail).HasMaxLength(320);
            // The order list's email filter. On SQLite the index is keyed by the order's block of ids first (an expression
            // index EF cannot model; migration EmailIndexByIdBlock, Features/Orders/IdBlockIndexes.cs): emails arrive in no order, and a
            // plain email index put each new order at a random page, two thirds of an ingest's log.
            if (Database.IsSqlServer())
                e.HasIndex(x => new { x.WorkspaceId, x.Source, x.CustomerEmail });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<OrderVersion>(e =>
        {
            e.HasIndex(x => new { x.StoredOrderId, x.Version }).IsUnique();
            e.HasOne<StoredOrder>().WithMany().HasForeignKey(x => x.StoredOrderId);
        });
        b.Entity<Batch>(e =>
        {
            e.Property(x => x.Format).HasMaxLength(32);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<RunDay>(e =>
        {
            e.HasKey(x => new { x.RunId, x.Date });
            e.HasIndex(x => new { x.WorkspaceId, x.Date });
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Alert>(e =>
        {
            e.Property(x => x.Rule).HasMaxLength(40);
            e.Property(x => x.ConditionKey).HasMaxLength(200);
            e.Property(x => x.Message).HasMaxLength(1000);
            e.Property(x => x.AcknowledgedBy).HasMaxLength(200);
            // An alert fires once per condition: one open alert per condition, whichever process evaluates it.
            e.HasIndex(x => new { x.WorkspaceId, x.ConditionKey }).IsUnique().HasFilter("[ClearedAt] IS NULL");
            e.HasIndex(x => new { x.WorkspaceId, x.Id });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<Run>(e =>
        {
            e.Property(x => x.Label).HasMaxLength(200);
            e.Property(x => x.CallbackUrl).HasMaxLength(OutboundUrls.MaxLength);
            e.Property(x => x.SyncLag).HasMaxLength(1000);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
            e.HasIndex(x => x.Status);
            // One running run per workspace (ReconcileRunJob): the rule holds even when two processes claim at once.
            // [Status] is valid quoting for SQLite as well as SQL Server.
            e.HasIndex(x => x.WorkspaceId, "IX_Runs_OneRunningPerWorkspace").IsUnique().HasFilter("[Status] = 'Running'");
            // One run per occurrence of a schedule, whichever process fires it.
            e.HasIndex(x => new { x.ScheduleId, x.ScheduledFor }).IsUnique().HasFilter("[ScheduledFor] IS NOT NULL");
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<Schedule>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Cron).HasMaxLength(100);
            e.Property(x => x.Timezone).HasMaxLength(64);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<RunPendingOrder>(e =>
        {
            e.Property(x => x.OrderId).HasMaxLength(100);
            e.Property(x => x.OrderKey).HasMaxLength(200);
            e.HasIndex(x => new { x.RunId, x.Id });
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId);
        });
        b.Entity<Discrepancy>(e =>
        {
            e.Property(x => x.IdentityKey).HasMaxLength(450);
            if (Database.IsSqlServer())
                e.Property(x => x.IdentityKey).UseCollation(OrdinalCollation);
            e.Property(x => x.OrderKey).HasMaxLength(200);
            e.Property(x => x.StoreOrderId).HasMaxLength(100);
            e.Property(x => x.KeapOrderId).HasMaxLength(100);
            e.Property(x => x.DuplicateOrderId).HasMaxLength(100);
            e.Property(x => x.CustomerEmail).HasMaxLength(320);
            e.Property(x => x.Field).HasMaxLength(64);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.CauseCode).HasMaxLength(64);
            e.Property(x => x.ResolvedBy).HasMaxLength(200);
            e.Property(x => x.Signature).HasMaxLength(Features.Discrepancies.FindingSignature.Length);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => new { x.WorkspaceId, x.IdentityKey }).IsUnique();
            // The list sorts, in the index's own directions so that a page is a range scan, not a sort.
            e.HasIndex(x => new { x.WorkspaceId, x.State, x.DetectedAt, x.SeverityRank, x.Impact, x.Id })
                .IsDescending(false, false, true, false, true, true);
            e.HasIndex(x => new { x.WorkspaceId, x.State, x.Impact, x.Id }).IsDescending(false, false, true, true);
            // sort=-id, the polling order (Zapier reads the first page).
            e.HasIndex(x => new { x.WorkspaceId, x.State, x.Id }).IsDescending(false, false, true);
            e.HasIndex(x => new { x.WorkspaceId, x.State, x.SeverityRank, x.Impact, x.Id }).IsDescending(false, false, false, true, true);
            e.HasIndex(x => new { x.WorkspaceId, x.State, x.OrderDate });
            // Metrics: findings by the day they were first detected and by the day they were resolved.
            e.HasIndex(x => new { x.WorkspaceId, x.DetectedAt });
            e.HasIndex(x => new { x.WorkspaceId, x.ResolvedAt });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<RunDiscrepancy>(e =>
        {
            e.HasKey(x => new { x.RunId, x.DiscrepancyId });
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId);
            e.HasOne<Discrepancy>().WithMany().HasForeignKey(x => x.DiscrepancyId);
        });
        b.Entity<DiscrepancyEvent>(e =>
        {
            e.Property(x => x.Actor).HasMaxLength(200);
            e.HasIndex(x => new { x.DiscrepancyId, x.Id });
            e.HasOne<Discrepancy>().WithMany().HasForeignKey(x => x.DiscrepancyId);
        });
        b.Entity<IdempotencyRecord>(e =>
        {
            e.HasKey(x => new { x.WorkspaceId, x.Key });
            e.Property(x => x.Key).HasMaxLength(255);
            if (Database.IsSqlServer())
                e.Property(x => x.Key).UseCollation(OrdinalCollation);
            e.Property(x => x.RequestHash).HasMaxLength(64);
            e.Property(x => x.Location).HasMaxLength(500);
            e.HasIndex(x => x.CreatedAt);
        });
        b.Entity<SettingsVersion>(e =>
        {
            e.HasKey(x => new { x.WorkspaceId, x.Version });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<WebhookSubscription>(e =>
        {
            e.Property(x => x.Url).HasMaxLength(OutboundUrls.MaxLength);
            e.Property(x => x.Events).HasMaxLength(500);
            e.Property(x => x.Secret).HasMaxLength(200);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
            e.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.Property(x => x.Url).HasMaxLength(OutboundUrls.MaxLength);
            e.Property(x => x.EventType).HasMaxLength(64);
            e.Property(x => x.LastError).HasMaxLength(1000);
            // A subscription's log, newest first; the deliveries still due (start-up pass, overdue sweep).
            e.HasIndex(x => new { x.SubscriptionId, x.CreatedAt });
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => x.CreatedAt); // the retention purge
            // Deleting a subscription deletes its log. No foreign key to the workspace: a second cascade path
            // (workspace → subscription → delivery) is refused by SQL Server.
            e.HasOne<WebhookSubscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<WebhookAttempt>(e =>
        {
            e.Property(x => x.Response).HasMaxLength(1024);
            e.Property(x => x.Error).HasMaxLength(1000);
            e.HasIndex(x => new { x.DeliveryId, x.Id });
            e.HasOne<WebhookDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>An amount as both providers store it: ten-thousandths, rounded half away from zero.</summary>
    public static long StoredMoney(decimal v) => (long)decimal.Round(v * MoneyScale, MidpointRounding.AwayFromZero);

    /// <summary>A time as both providers store it: UTC.</summary>
    public static DateTime StoredTime(DateTime v) => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime();

    const decimal MoneyScale = 10_000m;

    sealed class MoneyConverter() : ValueConverter<decimal, long>(v => StoredMoney(v), v => v / MoneyScale);

    sealed class WireEnumConverter<T>() : ValueConverter<T, string>(v => WireEnum.Name(v), v => WireEnum.Parse<T>(v)) where T : struct, Enum;

    sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => StoredTime(v),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqliteReconcileDbContext : ReconcileDbContext
{
    public SqliteReconcileDbContext(DbContextOptions<SqliteReconcileDbContext> options) : base(options) =>
        // SaveChanges opens a transaction even for one statement, so that it takes its turn at the write gate (GatedWrites).
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
}

public sealed class SqlServerReconcileDbContext(DbContextOptions<SqlServerReconcileDbContext> options) : ReconcileDbContext(options);
