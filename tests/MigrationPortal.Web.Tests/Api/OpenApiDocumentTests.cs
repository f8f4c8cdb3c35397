using System.Net;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using MigrationPortal.Web.Api;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// /openapi/v1.json read back with Microsoft.OpenApi: every mapped /api route is there with every status the authorization
/// matrix sees it answer and the ProblemDetails answers, schema names are unique, and the committed copy the generated
/// client is built from (docs/openapi/v1.json) is what the portal serves.
/// Regenerate the copy with: UPDATE_OPENAPI=1 dotnet test tests/MigrationPortal.Web.Tests --filter FullyQualifiedName~OpenApiDocument
/// </summary>
public sealed class OpenApiDocumentTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Operator = "u-olga|Olga|Operator";

    [Fact]
    public async Task Document_Answers401_WhenAnonymous()
    {
        var response = await factory.ClientFor(null).GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Document_MatchesCommittedCopy_WhenServed()
    {
        var served = (await ServedAsync()).ReplaceLineEndings("\n");
        var path = Path.Combine(RepositoryRoot(), "docs", "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, served);
        Assert.True(File.Exists(path), $"{path} is missing; generate it with UPDATE_OPENAPI=1.");
        Assert.True(served == (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n"),
            "docs/openapi/v1.json has drifted from the API; regenerate it with UPDATE_OPENAPI=1 (the generated client is built from it).");
    }

    [Fact]
    public async Task Document_DocumentsEveryRoute_WithEveryStatusItAnswers()
    {
        var document = await ReadAsync();
        var missing = new List<string>();
        foreach (var (method, pattern) in ApiEndpoints.Routes)
        {
            var operation = Operation(document, method, pattern);
            if (operation is null)
            {
                missing.Add($"{method} {pattern}: not documented");
                continue;
            }

            var responses = operation.Responses!;
            // What the authorization matrix sees the route answer (its success, and 403), then the ProblemDetails every route can give.
            var answered = AuthorizationMatrixTests.Expected[(method, pattern)].Values.Append(401).Append(400).ToHashSet();
            if (pattern.Contains('{') || method != "GET") answered.Add(404);
            if (method != "GET") answered.Add(409);
            foreach (var status in answered.Where(s => !responses.ContainsKey(s.ToString())))
                missing.Add($"{method} {pattern}: {status} not documented");

            foreach (var (status, response) in responses)
            {
                var code = int.Parse(status);
                if (code is 204 or 202) continue;
                var schema = response.Content?.Values.FirstOrDefault()?.Schema;
                if (schema is null) missing.Add($"{method} {pattern}: {status} has no schema");
                else if (code == 400 && SchemaId(schema) != "HttpValidationProblemDetails") missing.Add($"{method} {pattern}: 400 is {SchemaId(schema)}, not HttpValidationProblemDetails");
                else if (code > 400 && SchemaId(schema) != "ProblemDetails") missing.Add($"{method} {pattern}: {status} is {SchemaId(schema)}, not ProblemDetails");
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public async Task Document_NamesEachRequestBodyUniquely_WhenUseCasesShareTypeNames()
    {
        var document = await ReadAsync();
        string BodyOf(string method, string pattern) => SchemaId(Operation(document, method, pattern)!.RequestBody!.Content!["application/json"].Schema!) ?? "(inline)";
        var bodies = new[]
        {
            BodyOf("POST", "/api/v1/users"), BodyOf("POST", "/api/v1/batches"), BodyOf("POST", "/api/v1/hosts/{id}/evacuation"),
            BodyOf("POST", "/api/v1/requests"), BodyOf("PUT", "/api/v1/concurrency-limits"),
        };
        Assert.Equal(["CreateLocalUserCommand", "SubmitBatchBody", "SubmitEvacuationBody", "SubmitRequestBody", "SetConcurrencyLimitsCommand"], bodies);
        // The batch's items are their own schema, with the properties of a batch item (not of another use case's "Item").
        var item = document.Components!.Schemas!["SubmitBatchItemBody"];
        Assert.Contains("targetDatastoreId", item.Properties!.Keys);
        // A VM is named by portal ID, hypervisor ID or name, so it is text, with the connection that says which.
        foreach (var body in new[] { "SubmitRequestBody", "SubmitBatchItemBody", "SubmitEvacuationMoveBody" })
        {
            var vmId = document.Components.Schemas[body].Properties!["vmId"];
            Assert.True(vmId.Type!.Value.HasFlag(JsonSchemaType.String) && vmId.Format is null, $"{body}.vmId is {vmId.Type} {vmId.Format}");
        }

        Assert.Contains("connectionId", document.Components.Schemas["SubmitRequestBody"].Properties!.Keys);
        Assert.Contains("connectionId", item.Properties.Keys);
    }

    [Fact]
    public async Task Document_DeclaresCookieBearerAndEntra_WithExamplesOfTheMainBodies()
    {
        var document = await ReadAsync();
        var schemes = document.Components!.SecuritySchemes!;
        Assert.Equal(["bearer", "cookie", "entra"], schemes.Keys.Order());
        Assert.Equal(SecuritySchemeType.Http, schemes["bearer"].Type);
        Assert.Equal("mpat", schemes["bearer"].BearerFormat);
        Assert.Equal(ParameterLocation.Cookie, schemes["cookie"].In);
        Assert.Equal(3, document.Security!.Count);
        foreach (var name in new[] { "SubmitRequestBody", "SubmitBatchBody", "PeriodBody", "ConnectionBody" })
            Assert.True(document.Components.Schemas![name].Examples is { Count: > 0 }, $"{name} has no example");
    }

    [Fact]
    public async Task Document_DescribesEveryEnumAsAStringOfItsNames_WhenTheApiSendsEnumsByName()
    {
        var document = await ReadAsync();
        var schemas = document.Components!.Schemas!;
        // Every enum the API reads or writes, found by its schema name among the portal's own enums.
        var enums = typeof(Program).Assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("MigrationPortal", StringComparison.Ordinal))
            .Select(System.Reflection.Assembly.Load).Append(typeof(Program).Assembly)
            .SelectMany(a => a.GetTypes()).Where(t => t.IsEnum && schemas.ContainsKey(OpenApiDocumentation.SchemaName(t))).ToList();
        Assert.Contains(typeof(Domain.Requests.MigrationKind), enums);
        Assert.Contains(typeof(Domain.Requests.RequestState), enums);

        var wrong = new List<string>();
        foreach (var type in enums)
        {
            var schema = schemas[OpenApiDocumentation.SchemaName(type)];
            var names = schema.Enum?.Select(v => v?.GetValue<string>()).ToList() ?? [];
            if (schema.Type is not { } t || !t.HasFlag(JsonSchemaType.String)) wrong.Add($"{type.Name}: type {schema.Type}, not string");
            if (!names.SequenceEqual(Enum.GetNames(type))) wrong.Add($"{type.Name}: enum [{string.Join(", ", names)}], not [{string.Join(", ", Enum.GetNames(type))}]");
            if (string.IsNullOrEmpty(schema.Description)) wrong.Add($"{type.Name}: no description of what is accepted");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Document_GivesEverySchemaAndPropertyAType_SoThatAGeneratedClientCanUseIt()
    {
        var document = await ReadAsync();
        var empty = new List<string>();
        void Check(string where, IOpenApiSchema schema)
        {
            if (schema is OpenApiSchemaReference) return;
            var typed = schema.Type is not null || schema.Enum is { Count: > 0 } || schema.OneOf is { Count: > 0 } || schema.AnyOf is { Count: > 0 } || schema.AllOf is { Count: > 0 };
            if (!typed) empty.Add(where);
            foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>()) Check($"{where}.{name}", property);
            if (schema.Items is { } items) Check($"{where}[]", items);
            if (schema.AdditionalProperties is { } values) Check($"{where}{{}}", values);
        }

        foreach (var (name, schema) in document.Components!.Schemas!) Check(name, schema);
        foreach (var (path, item) in document.Paths)
        foreach (var (method, operation) in item.Operations!)
        {
            foreach (var parameter in operation.Parameters ?? []) Check($"{method} {path} ?{parameter.Name}", parameter.Schema!);
            foreach (var (type, body) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
                if (type.Contains("json", StringComparison.Ordinal)) Check($"{method} {path} body", body.Schema!);
        }

        Assert.True(empty.Count == 0, "Schemas with no type (a generated client makes them 'object'):\n" + string.Join("\n", empty));
    }

    private async Task<string> ServedAsync()
    {
        var response = await factory.ClientFor(Operator).GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<OpenApiDocument> ReadAsync()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await ServedAsync()));
        var result = await OpenApiDocument.LoadAsync(stream, "json");
        Assert.True(result.Diagnostic!.Errors.Count == 0, string.Join("\n", result.Diagnostic.Errors.Select(e => e.ToString())));
        return result.Document!;
    }

    private static OpenApiOperation? Operation(OpenApiDocument document, string method, string pattern) =>
        document.Paths.TryGetValue(pattern, out var item) && item.Operations!.TryGetValue(new HttpMethod(method), out var operation) ? operation : null;

    private static string? SchemaId(IOpenApiSchema schema) => schema is OpenApiSchemaReference reference ? reference.Reference.Id : null;

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MigrationPortal.sln"))) root = root.Parent;
        return root?.FullName ?? throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
    }
}
