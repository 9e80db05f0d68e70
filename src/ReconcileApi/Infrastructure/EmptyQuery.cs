using Microsoft.Extensions.Primitives;

namespace ReconcileApi.Infrastructure;

/// <summary>
/// An optional query parameter sent empty or blank (<c>?limit=</c>, <c>?since=%20</c>) is the same as one left out: Make and
/// Zapier send every mapped field, empty where the mapping had nothing. The framework reads an empty text as a value, which a
/// typed parameter (<c>int?</c>, <c>DateTime?</c>, <c>Guid?</c>, <c>bool?</c>) cannot read, so such a request was a 400 naming
/// nothing. Dropping those values before binding is one rule for every endpoint and every parameter, typed or text; a
/// required parameter sent empty is then missing, a 400 naming it (<see cref="BindingFailures"/>).
/// </summary>
public static class EmptyQuery
{
    public static WebApplication UseEmptyQueryAsLeftOut(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var query = context.Request.Query;
            if (query.Any(p => p.Value.Any(string.IsNullOrWhiteSpace)))
            {
                var sent = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
                foreach (var (name, values) in query)
                {
                    if (values.Where(v => !string.IsNullOrWhiteSpace(v)).ToArray() is { Length: > 0 } kept)
                        sent[name] = kept;
                }
                context.Request.Query = new QueryCollection(sent);
            }
            return next(context);
        });
        return app;
    }
}
