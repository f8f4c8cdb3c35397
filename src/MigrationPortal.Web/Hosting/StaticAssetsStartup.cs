namespace MigrationPortal.Web.Hosting;

/// <summary>
/// The portal's scripts and styles, wherever it is started. Outside Development, MapStaticAssets serves only what the
/// web root holds, while its endpoint list comes from a manifest beside the assembly: a build output (not published)
/// or a published folder started from another working directory answered 200 with empty bodies for every asset.
/// A build output now serves its assets where the build left them; anything else that still cannot find them stops
/// the node at start with the fix.
/// </summary>
public static class StaticAssetsStartup
{
    /// <summary>An asset every page loads; if the web root lacks it, it lacks the others too.</summary>
    public const string ProbeAsset = "_framework/blazor.web.js";

    /// <summary>
    /// Development does this already. A build output has a runtime manifest naming where each asset lies (the NuGet
    /// cache, obj/, the project's wwwroot); a published output has none, and its assets are in its own wwwroot.
    /// </summary>
    public static WebApplicationBuilder UseBuildOutputStaticAssets(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment() && File.Exists(RuntimeManifest(builder.Environment.ApplicationName)))
            builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary>Throws, naming the fix, when the web root cannot serve the portal's assets.</summary>
    public static void EnsureStaticAssetsFound(IWebHostEnvironment environment)
    {
        if (environment.WebRootFileProvider.GetFileInfo(ProbeAsset).Exists) return;
        var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var startedElsewhere = Directory.Exists(Path.Combine(baseDirectory, "wwwroot"))
            && !string.Equals(Path.GetFullPath(environment.ContentRootPath).TrimEnd(Path.DirectorySeparatorChar), baseDirectory, StringComparison.Ordinal);
        var hint = startedElsewhere
            ? $" This is a published output started from another folder: start it from {baseDirectory}, or pass --contentRoot {baseDirectory}."
            : " Fix: publish it, or set ASPNETCORE_ENVIRONMENT=Development (to publish: dotnet publish src/MigrationPortal.Web -c Release -o DIR, then run it from DIR).";
        throw new InvalidOperationException(
            $"The portal's static assets are missing: {ProbeAsset} is not in the web root ({environment.WebRootPath ?? "none"}), " +
            "so every page would get empty scripts and styles." + hint);
    }

    private static string RuntimeManifest(string applicationName) =>
        Path.Combine(AppContext.BaseDirectory, $"{applicationName}.staticwebassets.runtime.json");
}
