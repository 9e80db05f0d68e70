using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ReconcileApi.Features.Health;

/// <summary>/health/live (the process answers) and /health/ready (the database answers).</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // MapHealthChecks answers every method (a POST, a TRACE): these are reads, and answer GET and HEAD as every read here does.
        string[] reads = [HttpMethods.Get, HttpMethods.Head];
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write })
            .WithMetadata(new HttpMethodMetadata(reads));
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = Write })
            .WithMetadata(new HttpMethodMetadata(reads));
        return app;
    }

    static Task Write(HttpContext context, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant());
        if (report.Status == HealthStatus.Healthy)
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = "healthy", checks }));
        }
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = context.Response.StatusCode,
                Detail = "Not ready: " + string.Join(", ", checks.Where(c => c.Value != "healthy").Select(c => $"{c.Key} is {c.Value}")),
                Extensions = { ["checks"] = checks },
            },
        }).AsTask();
    }
}
