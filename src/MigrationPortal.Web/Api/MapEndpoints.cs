using MigrationPortal.Application.Common;
using MigrationPortal.Application.Mappings;
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

    /// <summary>A network map as the API accepts it. <paramref name="Version"/> is required on PUT (the version the edit started from).</summary>
    public sealed record NetworkMapBody(string? Name, Guid? SourceConnectionId, Guid? DestinationConnectionId, int? Version, IReadOnlyList<SaveNetworkMap.Entry?>? Entries)
    {
        public SaveNetworkMap.Command ToCommand(Guid? id) =>
            new(id, Version, Name, SourceConnectionId ?? Guid.Empty, DestinationConnectionId ?? Guid.Empty, Entries);
    }

    /// <summary>A storage map as the API accepts it. <paramref name="Version"/> is required on PUT.</summary>
    public sealed record StorageMapBody(string? Name, Guid? SourceConnectionId, Guid? DestinationConnectionId, int? Version, IReadOnlyList<SaveStorageMap.Entry?>? Entries)
    {
        public SaveStorageMap.Command ToCommand(Guid? id) =>
            new(id, Version, Name, SourceConnectionId ?? Guid.Empty, DestinationConnectionId ?? Guid.Empty, Entries);
    }

    public static RouteGroupBuilder MapConversionMaps(this RouteGroupBuilder api)
    {
        api.MapGet("/conversion-maps", async (Guid? sourceConnectionId, Guid? destinationConnectionId, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(sourceConnectionId, destinationConnectionId), ct)))
            .WithName("ListConversionMaps");

        api.MapGet("/network-maps", async (Guid? sourceConnectionId, Guid? destinationConnectionId, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok((await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(sourceConnectionId, destinationConnectionId), ct)).NetworkMaps))
            .WithName("ListNetworkMaps");

        api.MapGet("/network-maps/{id:guid}", async (Guid id, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok((await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(MapId: id), ct)).NetworkMaps.SingleOrDefault()
                ?? throw new NotFoundException("Network map", id)))
            .WithName("GetNetworkMap");

        api.MapPost("/network-maps", async (NetworkMapBody body, SaveNetworkMap useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(null), ct);
            return Results.Created($"/api/v1/network-maps/{saved.Id}", saved);
        }).WithName("AddNetworkMap");

        api.MapPut("/network-maps/{id:guid}", async (Guid id, NetworkMapBody body, SaveNetworkMap useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(id), ct)))
            .WithName("EditNetworkMap");

        api.MapDelete("/network-maps/{id:guid}", async (Guid id, DeleteConversionMap useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new DeleteConversionMap.Command(ConversionMapKind.Network, id), ct);
            return Results.NoContent();
        }).WithName("DeleteNetworkMap");

        api.MapGet("/storage-maps", async (Guid? sourceConnectionId, Guid? destinationConnectionId, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok((await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(sourceConnectionId, destinationConnectionId), ct)).StorageMaps))
            .WithName("ListStorageMaps");

        api.MapGet("/storage-maps/{id:guid}", async (Guid id, ListConversionMaps useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok((await useCase.HandleAsync(http.User.ToPortalUser(), new ListConversionMaps.Query(MapId: id), ct)).StorageMaps.SingleOrDefault()
                ?? throw new NotFoundException("Storage map", id)))
            .WithName("GetStorageMap");

        api.MapPost("/storage-maps", async (StorageMapBody body, SaveStorageMap useCase, HttpContext http, CancellationToken ct) =>
        {
            var saved = await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(null), ct);
            return Results.Created($"/api/v1/storage-maps/{saved.Id}", saved);
        }).WithName("AddStorageMap");

        api.MapPut("/storage-maps/{id:guid}", async (Guid id, StorageMapBody body, SaveStorageMap useCase, HttpContext http, CancellationToken ct) =>
            Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), body.ToCommand(id), ct)))
            .WithName("EditStorageMap");

        api.MapDelete("/storage-maps/{id:guid}", async (Guid id, DeleteConversionMap useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), new DeleteConversionMap.Command(ConversionMapKind.Storage, id), ct);
            return Results.NoContent();
        }).WithName("DeleteStorageMap");
        return api;
    }
}
