using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// What makes /openapi/v1.json true: schema names unique across use cases (each has its own nested "Command"), the
/// ProblemDetails answers every endpoint can give, the three ways to sign in, and examples of the main bodies.
/// A client generated from the committed copy (docs/openapi/v1.json) drives the API in the tests, so a wrong document breaks them.
/// </summary>
public static class OpenApiDocumentation
{
    public const string CookieScheme = "cookie";
    public const string BearerScheme = "bearer";
    public const string EntraScheme = "entra";

    public static void Configure(OpenApiOptions options)
    {
        options.CreateSchemaReferenceId = info => OpenApiOptions.CreateDefaultSchemaReferenceId(info) is null ? null : SchemaName(info.Type);
        options.AddDocumentTransformer((document, _, _) =>
        {
            // Relative to the document's own address: the same file serves every deployment (and the committed copy).
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [CookieScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = ".MigrationPortal.Auth",
                    Description = "The portal's sign-in cookie (a browser, or a script that posted the sign-in form). Writes also need the same-origin headers.",
                },
                [BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "mpat",
                    Description = "A personal access token of a local account: \"Authorization: Bearer mpat_…\". Create one on My tokens, or POST /api/v1/tokens with HTTP Basic credentials.",
                },
                [EntraScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                    Description = "A Microsoft Entra ID access token for the portal's app registration, where Entra ID sign-in is configured.",
                },
            };
            document.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(EntraScheme, document)] = [] },
            ];
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer(EnumSchemas.TransformAsync);
        options.AddDocumentTransformer(EnumSchemas.ReferenceInlineCopiesAsync);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (Examples.TryGetValue(context.JsonTypeInfo.Type, out var example) && context.JsonPropertyInfo is null) schema.Examples = [JsonNode.Parse(example)!];
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// The type's name, prefixed by the use case it is nested in ("SubmitRequestCommand", not "Command"), and its type
    /// arguments ("MapBodyOfSaveNetworkMapEntry"). Types nested in the endpoint classes keep their own names.
    /// </summary>
    public static string SchemaName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var name = type.Name.Split('`')[0];
        if (type.IsGenericType && !type.IsGenericTypeDefinition) name += "Of" + string.Join("And", type.GetGenericArguments().Select(SchemaName));
        return type.DeclaringType is { } outer && !outer.Name.EndsWith("Endpoints", StringComparison.Ordinal) ? SchemaName(outer) + name : name;
    }

    /// <summary>
    /// The ProblemDetails answers of the API (see <see cref="PortalExceptionHandler"/>): 400 with the failing fields, 401, 403;
    /// 404 where an ID is named (in the path or the body); 409 on writes (someone else changed it first). Statuses an endpoint
    /// declares itself (502 where it calls the hypervisor) are kept.
    /// </summary>
    public static TBuilder WithPortalProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            if (endpoint is not RouteEndpointBuilder route) return;
            var method = endpoint.Metadata.OfType<IHttpMethodMetadata>().SelectMany(m => m.HttpMethods).FirstOrDefault() ?? HttpMethods.Get;
            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
            void Add(int status, Type type)
            {
                if (declared.Add(status)) endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, type, ["application/problem+json"]));
            }

            var reading = HttpMethods.IsGet(method);
            Add(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails));
            Add(StatusCodes.Status401Unauthorized, typeof(ProblemDetails));
            Add(StatusCodes.Status403Forbidden, typeof(ProblemDetails));
            if (!reading || route.RoutePattern.Parameters.Count > 0) Add(StatusCodes.Status404NotFound, typeof(ProblemDetails));
            if (!reading) Add(StatusCodes.Status409Conflict, typeof(ProblemDetails));
        });
        return builder;
    }

    /// <summary>Examples of the main bodies, with IDs as /api/v1/vms, /hosts and /datastores list them.</summary>
    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(SubmitRequestBody)] = """
            {"vmId":"vm-1187","connectionId":"7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f","kind":"Compute","live":true,"targetHostId":"host-42","targetDatastoreId":null,
             "justification":"Free host-17 for its firmware update","scheduleMode":"AsSoonAsApproved"}
            """,
        [typeof(SubmitBatchBody)] = """
            {"name":"Wave 3: finance","justification":"Storage array retirement","scheduleMode":"ChosenWindow","windowId":"9b1c2d3e-4f50-4a6b-8c7d-e8f901a2b3c4",
             "items":[{"vmId":"3f2b7c1e-8a4d-4b6e-9c1a-2d5e6f708192","kind":"Storage","live":true,"targetHostId":null,"targetDatastoreId":"datastore-1043"},
                      {"vmId":"vm-2291","connectionId":"7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f","kind":"ComputeAndStorage","live":true,"targetHostId":"host-42","targetDatastoreId":"datastore-1043"}]}
            """,
        [typeof(ApiEndpoints.PeriodBody)] = """
            {"name":"Saturday night","recurrence":"RRule","expression":"FREQ=WEEKLY;BYDAY=SA","timeZoneId":"Europe/Paris","localStart":"2026-01-03T22:00:00",
             "durationMinutes":240,"scopeKind":"Cluster","scopeConnectionId":"7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f","scopeItem":"Cluster-A","enabled":true}
            """,
        [typeof(ApiEndpoints.ConnectionBody)] = """
            {"name":"vCenter Paris","kind":"vsphere","endpoint":"https://vcenter.example.com/sdk","username":"svc-migrate@vsphere.local",
             "secret":"(the password)","pinnedThumbprint":"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01","allowUnencryptedMigration":false}
            """,
    };
}
