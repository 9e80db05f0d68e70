using FluentValidation;
using ReconcileApi.Data;
using ReconcileApi.Features.Admin;
using ReconcileApi.Features.Discrepancies;
using ReconcileApi.Features.Health;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Runs;
using ReconcileApi.Features.Settings;
using ReconcileApi.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.MaxRequestBodyBytes());
builder.Services.AddSingleton(TimeProvider.System);
builder.AddReconcileData();
builder.AddJobs();
builder.Services.AddProblems();
builder.Services.AddApiAuth();
builder.Services.AddOpenApiDocs();
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
builder.Services.AddScoped<Idempotency>();
builder.Services.AddOrders();
builder.Services.AddRuns();
builder.Services.AddDiscrepancies();

var app = builder.Build();
app.UseProblems();
app.UseIdempotencyBuffering();
app.UseAuthentication();
app.UseAuthorization();
app.UseOpenApiDocs();
app.UseJobsDashboard();
app.MapHealth();
app.MapAdmin();
app.MapOrders();
app.MapRuns();
app.MapDiscrepancies();
app.MapSettings();

await app.MigrateDatabaseAsync();
await DevelopmentWorkspace.EnsureAsync(app);
await app.RequeueInterruptedRunsAsync();
await app.RunAsync();

public partial class Program;
