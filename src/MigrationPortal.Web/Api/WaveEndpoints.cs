using MigrationPortal.Application.Common;
using MigrationPortal.Application.Waves;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// /api/v1 for migration waves from CSV: validate, dry-run and submit a file, and export a submitted wave's results.
/// The file is the body as text/csv, or the first file of a multipart/form-data upload. The use cases authorize and
/// validate; a row's error is keyed "Rows[12].TargetHost" in the 400 ProblemDetails.
/// </summary>
public static class WaveEndpoints
{
    /// <summary>The routes below, for <see cref="ApiEndpoints.Routes"/> (the authorization matrix checks every one).</summary>
    public static readonly IReadOnlyList<(string Method, string Pattern)> Routes =
    [
        ("POST", "/api/v1/waves/validate"),
        ("POST", "/api/v1/waves/dry-run"),
        ("POST", "/api/v1/waves"),
        ("GET", "/api/v1/waves/{id}/results"),
    ];

    public static RouteGroupBuilder MapWaves(this RouteGroupBuilder api)
    {
        api.MapPost("/waves/validate", async (ValidateWave useCase, HttpContext http, CancellationToken ct) =>
        {
            await using var file = await ReadFileAsync(http, ct);
            return Results.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), file, ct));
        }).Produces<WaveResult>(StatusCodes.Status200OK).WithName("ValidateWave");

        // The report is CSV by default, JSON when asked for (Accept: application/json).
        api.MapPost("/waves/dry-run", async (DryRunWave useCase, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            await using var file = await ReadFileAsync(http, ct);
            var report = await useCase.HandleAsync(http.User.ToPortalUser(), file, ct);
            if (http.Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true)) return Results.Ok(report);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"wave-dry-run-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
            await useCase.WriteCsvAsync(report, http.Response.Body, ct);
            return Results.Empty;
        }).Produces<DryRunReport>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status200OK, typeof(Stream), "text/csv").WithName("DryRunWave");

        api.MapPost("/waves", async (SubmitWave useCase, HttpContext http, CancellationToken ct) =>
        {
            await using var file = await ReadFileAsync(http, ct);
            var result = await useCase.HandleAsync(http.User.ToPortalUser(), file, ct);
            return Results.Created($"/api/v1/waves/{result.Waves[0].BatchId}/results", result);
        }).Produces<WaveResult>(StatusCodes.Status201Created).WithName("SubmitWave");

        api.MapGet("/waves/{id:guid}/results", async (Guid id, ExportWaveResults useCase, HttpContext http, CancellationToken ct) =>
        {
            var user = http.User.ToPortalUser();
            var name = await useCase.BeginAsync(user, id, ct);
            http.Response.ContentType = "text/csv; charset=utf-8";
            var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"wave-{safe}-results.csv\"";
            await useCase.WriteAsync(user, id, http.Response.Body, ct);
            return Results.Empty;
        }).Produces(StatusCodes.Status200OK, typeof(Stream), "text/csv").WithName("ExportWaveResults");
        return api;
    }

    /// <summary>The uploaded file, buffered up to <see cref="WaveColumns.MaxFileBytes"/> (a larger one is a 400 naming the limit).</summary>
    private static async Task<Stream> ReadFileAsync(HttpContext http, CancellationToken ct)
    {
        Stream source;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            var upload = form.Files.Count > 0 ? form.Files[0] : throw ValidationFailedException.For("File", "Attach the CSV file as a form file (multipart/form-data).");
            if (upload.Length > WaveColumns.MaxFileBytes) throw TooLarge();
            source = upload.OpenReadStream();
        }
        else
        {
            source = http.Request.Body;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > WaveColumns.MaxFileBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        return buffer;
    }

    private static ValidationFailedException TooLarge() =>
        ValidationFailedException.For("File", $"The file is larger than {WaveColumns.MaxFileBytes / (1024 * 1024)} MB: split the wave.");
}
