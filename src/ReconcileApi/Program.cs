using ReconcileApi.Features.Admin;
using ReconcileApi.Features.Discrepancies;
using ReconcileApi.Features.Health;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Retention;
using ReconcileApi.Features.Runs;
using ReconcileApi.Features.Settings;

var builder = WebApplication.CreateBuilder(args);
var options = builder.AddServiceOptions();
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.Limits.MaxRequestBodyBytes);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddReconcileData(options);
builder.Services.AddJobs(options);
builder.Services.AddProblems();
builder.Services.AddApiAuth();
builder.Services.AddRateLimits(options);
builder.Services.AddOpenApiDocs();
ValidationFilter.Register(builder.Services);
builder.Services.AddScoped<Idempotency>();
builder.Services.AddOrders();
builder.Services.AddRuns();
builder.Services.AddDiscrepancies();
builder.Services.AddRetention();

var app = builder.Build();
app.UseProblems();
app.UseSecurityHeaders();
app.UseIdempotencyBuffering();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseOpenApiDocs(options.Swagger.Public!.Value);
app.UseJobsDashboard();
app.MapHealth();
app.MapAdmin();
app.MapOrders();
app.MapRuns();
app.MapDiscrepancies();
app.MapSettings();

await app.MigrateDatabaseAsync(options);
await DevelopmentWorkspace.EnsureAsync(app, options.Auth.DevelopmentApiKey);
await app.RequeueInterruptedRunsAsync(options);
await app.ForgetInterruptedClaimsAsync(options);
app.ScheduleRetention(options);
await app.RunAsync();

public partial class Program;
