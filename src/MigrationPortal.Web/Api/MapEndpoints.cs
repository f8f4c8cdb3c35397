using MigrationPortal.Application.Common;
using MigrationPortal.Application.Mappings;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// /api/v1 for the conversion maps: both kinds listed together, and each kind read, created, edited (with the version it
/// was read at) and deleted. The use cases authorize and validate; binding failures become 400s through
/// <see cref="ApiInput"/> like everywhere else.
/// </summary>
public static class MapEndpoints
{
    /// <summary>The routes below, for <see cref="ApiEndpoints.Routes"/> (the authorization matrix checks every one).</summary>
    public static readonly IReadOnlyList<(string Method, string Pattern)> Routes =
    [
        ("GET", "/api/v1/conversion-maps"),
        ("GET", "/api/v1/network-maps"),
        ("GET", "/api/v1/network-maps/{id}"),
        ("POST", "/api/v1/network-maps"),
        ("PUT", "/api/v1/network-maps/{id}"),
        ("DELETE", "/api/v1/network-maps/{id}"),
        ("GET", "/api/v1/storage-maps"),
        ("GET", "/api/v1/storage-maps/{id}"),
        ("POST", "/api/v1/storage-maps"),
        ("PUT", "/api/v1/storage-maps/{id}"),
        ("DELETE", "/api/v1/storage-maps/{id}"),
    ];

    /// <summary>
    /// A map as the API accepts it, for either kind (<typeparamref name="TInput"/> is the kind's entry). <paramref name="Version"/>
    /// is required on PUT (the version the edit started from).
    /// </summary>
    public sealed record MapBody<TInput>(string? Name, Guid? SourceConnectionId, Guid? DestinationConnectionId, int? Version, IReadOnlyList<TInput?>? Entries)
        where TInput : class;

    public static RouteGroupBuilder MapConversionMaps(this RouteGroupBuilder api)
    {
        api.MapGet("/conversion-maps", async (Guid? sourceConnectionId, Guid? destinationConnectionId, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(sourceConnectionId, destinationConnectionId), ct)))
            .WithName("ListConversionMaps");
        MapKind<NetworkMap, NetworkMapping, SaveNetworkMap.Entry, NetworkMapView, SaveNetworkMap>(api, "network-maps", "NetworkMap", "Network map", ConversionMapKind.Network,
            maps => maps.NetworkMaps, view => view.Id);
        MapKind<StorageMap, StorageMapping, SaveStorageMap.Entry, StorageMapView, SaveStorageMap>(api, "storage-maps", "StorageMap", "Storage map", ConversionMapKind.Storage,
            maps => maps.StorageMaps, view => view.Id);
        return api;
    }

    /// <summary>One kind's routes: list, read, create, edit and delete, named "List{name}s", "Get{name}" and so on.</summary>
    private static void MapKind<TMap, TEntry, TInput, TView, TSave>(RouteGroupBuilder api, string path, string name, string noun, ConversionMapKind kind,
        Func<ConversionMapsView, IReadOnlyList<TView>> ofKind, Func<TView, Guid> idOf)
        where TMap : ConversionMap<TEntry>
        where TInput : class
        where TSave : SaveConversionMap<TMap, TEntry, TInput, TView>
    {
        static SaveConversionMap<TMap, TEntry, TInput, TView>.Command ToCommand(MapBody<TInput> body, Guid? id) =>
            new(id, body.Version, body.Name, body.SourceConnectionId ?? Guid.Empty, body.DestinationConnectionId ?? Guid.Empty, body.Entries);

        api.MapGet($"/{path}", async (Guid? sourceConnectionId, Guid? destinationConnectionId, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(ofKind(await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(sourceConnectionId, destinationConnectionId), ct))))
            .WithName($"List{name}s");

        api.MapGet($"/{path}/{{id:guid}}", async (Guid id, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(ofKind(await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(MapId: id), ct)).SingleOrDefault()
                ?? throw new NotFoundException(noun, id)))
            .WithName($"Get{name}");

        api.MapPost($"/{path}", async (MapBody<TInput> body, TSave useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), ToCommand(body, null), ct);
            return TypedResults.Created($"/api/v1/{path}/{idOf(saved)}", saved);
        }).WithName($"Add{name}");

        api.MapPut($"/{path}/{{id:guid}}", async (Guid id, MapBody<TInput> body, TSave useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), ToCommand(body, id), ct)))
            .WithName($"Edit{name}");

        api.MapDelete($"/{path}/{{id:guid}}", async (Guid id, DeleteConversionMap useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new DeleteConversionMap.Command(kind, id), ct);
            return TypedResults.NoContent();
        }).WithName($"Delete{name}");
    }
}
