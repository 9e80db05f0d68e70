using FluentValidation;
using ReconcileApi.Features.Orders;

namespace ReconcileApi.Features.Admin;

public sealed record CreateWorkspaceRequest(string Name, string? Timezone = null);

public sealed record WorkspaceCreated(Guid Id, string Name, string Timezone, Guid KeyId, string ApiKey);

public sealed record ApiKeyCreated(Guid KeyId, Guid WorkspaceId, string ApiKey);

/// <summary>A key as listed: its first characters only (the whole key is shown once, when it is created).</summary>
public sealed record ApiKeyListed(Guid KeyId, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

public sealed record WorkspaceDetails(Guid Id, string Name, string Timezone, DateTime CreatedAt, IReadOnlyList<ApiKeyListed> Keys);

public sealed class CreateWorkspaceRequestValidator : AbstractValidator<CreateWorkspaceRequest>
{
    public CreateWorkspaceRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Is required.").Text(200);
        RuleFor(r => r.Timezone).Must(z => TimeZones.TryFindName(z, out _)).When(r => r.Timezone is not null)
            .WithMessage(r => $"'{r.Timezone}' is not an IANA timezone such as America/New_York.");
    }
}

/// <summary>Workspaces and keys; only the admin key (Auth:AdminKey) may call these.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Admin", "Workspaces and their API keys; only with the admin key.", Auth.AdminPolicy).MapGroup("/admin");
        group.MapPost("/workspaces", CreateWorkspace)
            .WithName(nameof(CreateWorkspace))
            .WithSummary("Create a workspace and its first API key (the key is shown once)")
            .ProducesValidationProblem()
            .WithExamples(request: new CreateWorkspaceRequest("Acme Store", "America/New_York"), response: Examples.WorkspaceCreated);
        group.MapGet("/workspaces/{id:guid}", GetWorkspace)
            .WithName(nameof(GetWorkspace))
            .WithSummary("A workspace and its API keys, listed by their first characters (the location a created workspace names)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExamples(response: Examples.WorkspaceDetails);
        group.MapPost("/workspaces/{id:guid}/keys", CreateApiKey)
            .WithName(nameof(CreateApiKey))
            .WithSummary("Create another API key for a workspace (the key is shown once)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExamples(response: Examples.KeyCreated);
        group.MapDelete("/keys/{keyId:guid}", RevokeApiKey)
            .WithName(nameof(RevokeApiKey))
            .WithSummary("Revoke an API key; it stops working at once")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Created<WorkspaceCreated>> CreateWorkspace(CreateWorkspaceRequest request, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var workspace = new Workspace { Id = Guid.CreateVersion7(), Name = request.Name.Trim(), Timezone = request.Timezone ?? "UTC", CreatedAt = now };
        db.Workspaces.Add(workspace);
        var (key, secret) = NewKey(workspace.Id, now);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/admin/workspaces/{workspace.Id}",
            new WorkspaceCreated(workspace.Id, workspace.Name, workspace.Timezone, key.Id, secret));
    }

    public static async Task<Results<Ok<WorkspaceDetails>, ProblemHttpResult>> GetWorkspace(Guid id, ReconcileDbContext db, CancellationToken ct)
    {
        if (await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct) is not { } workspace)
            return Problems.NotFound("Workspace", id, inWorkspace: false);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.WorkspaceId == id).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Select(k => new ApiKeyListed(k.Id, k.Prefix, k.CreatedAt, k.RevokedAt)).ToListAsync(ct);
        return TypedResults.Ok(new WorkspaceDetails(workspace.Id, workspace.Name, workspace.Timezone, workspace.CreatedAt, keys));
    }

    public static async Task<Results<Created<ApiKeyCreated>, ProblemHttpResult>> CreateApiKey(Guid id, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Workspaces.AnyAsync(w => w.Id == id, ct))
            return Problems.NotFound("Workspace", id, inWorkspace: false);
        var (key, secret) = NewKey(id, clock.GetUtcNow().UtcDateTime);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/admin/keys/{key.Id}", new ApiKeyCreated(key.Id, id, secret));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeApiKey(Guid keyId, ReconcileDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var revoked = await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        if (revoked == 0 && !await db.ApiKeys.AnyAsync(k => k.Id == keyId, ct))
            return Problems.NotFound("API key", keyId, inWorkspace: false);
        return TypedResults.NoContent();
    }

    public static (ApiKey Key, string Secret) NewKey(Guid workspaceId, DateTime now, string? secret = null)
    {
        secret ??= Auth.NewKey();
        return (new ApiKey { Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, Hash = Auth.Hash(secret), Prefix = Auth.KeyPrefix(secret), CreatedAt = now }, secret);
    }
}

/// <summary>In Development a default workspace and key exist out of the box; the key is printed at start.</summary>
public static class DevelopmentWorkspace
{
    public static readonly Guid Id = new("00000000-0000-0000-0000-000000000001");

    public static async Task EnsureAsync(WebApplication app, string key)
    {
        if (!app.Environment.IsDevelopment())
            return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        if (!await db.Workspaces.AnyAsync(w => w.Id == Id))
            db.Workspaces.Add(new Workspace { Id = Id, Name = "Development", Timezone = "UTC", CreatedAt = clock.GetUtcNow().UtcDateTime });
        var hash = Auth.Hash(key);
        if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash))
            db.ApiKeys.Add(AdminApi.NewKey(Id, clock.GetUtcNow().UtcDateTime, key).Key);
        await db.SaveChangesAsync();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            Console.WriteLine($"ReconcileApi is listening on {urls} — Swagger UI at /swagger");
            Console.WriteLine($"Development API key: {key}   (send it as X-Api-Key)");
        });
    }
}
