using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using MigrationPortal.PageBench;

// Page benchmark and screenshots: the real portal (built src/MigrationPortal.Web) in a child process, driven by Debian's Chromium.
// Usage (bench/page-tti.sh and bench/screenshots.sh build first and call these):
//   dotnet run -c Release --project bench/MigrationPortal.PageBench -- tti [vms=10000] [requests=10000] [loads=10] [baseline=50]
//       time to interactive of every main page, median and p95 of `loads` loads, at `vms`/`requests` and, as the
//       baseline in the same run, at `baseline` VMs and requests; prints the ratios. Definition: PageTimer.
//       PAGE_TTI_KEEP=<folder>: keep each seeded database in <folder>/<vms>x<requests> and reuse it on the next run
//       (seeding 10,000/10,000 takes minutes); baseline=0 skips the baseline run; PAGE_TTI_PAGES=calendar,host measures
//       only those pages.
//   dotnet run -c Release --project bench/MigrationPortal.PageBench -- screenshots [folder=docs/screenshots]
//       every main page on the labelled demo inventory, light, dark and mobile (390x844): <page>-light.png, -dark.png, -mobile.png.

var root = RepositoryRoot();
var mode = args.FirstOrDefault() ?? "tti";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

const string chromium = "/usr/bin/chromium";
if (!File.Exists(chromium)) throw new InvalidOperationException($"{chromium} is missing: apt-get install chromium.");
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

if (mode == "screenshots")
{
    var folder = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(root, "docs", "screenshots"));
    await Screenshots.RunAsync(browser, root, folder);
    return;
}

if (mode != "tti") throw new ArgumentException($"Unknown mode '{mode}': tti or screenshots.");
var vms = Arg(1, 10_000);
var requests = Arg(2, 10_000);
var loads = Arg(3, 10);
var baselineSize = Arg(4, 50);

Console.WriteLine($"Time to interactive, {loads} loads of each page after 2 warm-up loads, Chromium headless 1400x900, portal on loopback (SQLite).");
var keep = Environment.GetEnvironmentVariable("PAGE_TTI_KEEP");
var only = (Environment.GetEnvironmentVariable("PAGE_TTI_PAGES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var baseline = baselineSize > 0 ? await MeasureAsync(baselineSize, baselineSize) : null;
var large = await MeasureAsync(vms, requests);
if (baseline is null)
{
    Console.WriteLine($"(no baseline run; load average now: {LoadAverage()})");
    return;
}

Console.WriteLine();
Console.WriteLine($"| page | baseline {baselineSize:N0}/{baselineSize:N0} median ms | p95 ms | {vms:N0} VMs / {requests:N0} requests median ms | p95 ms | ratio median | ratio p95 | first byte median ms | target (median < 1000, p95 < 2000) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
var missed = 0;
foreach (var (name, big) in large)
{
    if (!baseline.TryGetValue(name, out var small)) continue;
    var met = big.Median < 1000 && big.P95 < 2000;
    if (!met) missed++;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {small.Median:F0} | {small.P95:F0} | {big.Median:F0} | {big.P95:F0} | {big.Median / small.Median:F2} | {big.P95 / small.P95:F2} | {big.FirstByteMedian:F0} | {(met ? "met" : "MISSED")} |"));
}

Console.WriteLine();
Console.WriteLine(missed == 0 ? "Every page met the target." : $"{missed} page(s) missed the target.");

async Task<Dictionary<string, Stats>> MeasureAsync(int vmCount, int requestCount)
{
    var data = keep is null ? Path.Combine(Path.GetTempPath(), $"mp-tti-{Guid.NewGuid():N}") : Path.Combine(Path.GetFullPath(keep), $"{vmCount}x{requestCount}");
    var marker = Path.Combine(data, "seeded.json");
    try
    {
        SeededPortal seeded;
        if (keep is not null && File.Exists(marker))
        {
            seeded = System.Text.Json.JsonSerializer.Deserialize<SeededPortal>(await File.ReadAllTextAsync(marker))!;
            Console.WriteLine($"[{vmCount:N0} VMs / {requestCount:N0} requests] reusing the database seeded in {data}");
        }
        else
        {
            var seedWatch = Stopwatch.StartNew();
            seeded = await PageSeeder.SeedAsync(data, vmCount, requestCount, withDemo: false);
            Console.WriteLine($"[{vmCount:N0} VMs / {requestCount:N0} requests] seeded in {seedWatch.Elapsed.TotalSeconds:F1} s");
            if (keep is not null) await File.WriteAllTextAsync(marker, System.Text.Json.JsonSerializer.Serialize(seeded));
        }

        Console.WriteLine($"  load average: {LoadAverage()}");
        await using var portal = await PortalProcess.StartAsync(root, data, demo: false);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            { BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await context.AddInitScriptAsync(PageTimer.InitScript);
        var page = await context.NewPageAsync();
        await PageTimer.SignInAsync(page, seeded.UserName, seeded.Password);
        var pages = PageTimer.MainPages(seeded).Where(p => only.Length == 0 || only.Contains(p.Name)).ToList();
        var samples = pages.ToDictionary(p => p.Name, _ => new List<PageLoad>());
        foreach (var p in pages)
        {
            for (var i = 0; i < 2; i++) await LoadOrTimeoutAsync(page, p.Path);
        }

        // Rounds go through every page in turn, so a burst of load on the machine falls on all pages alike.
        for (var round = 0; round < loads; round++)
        {
            foreach (var p in pages) samples[p.Name].Add(await LoadOrTimeoutAsync(page, p.Path));
        }

        foreach (var p in pages)
        {
            var s = Stats.Of(samples[p.Name]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {p.Name,-15} {p.Path,-50} median {s.Median,6:F0} ms  p95 {s.P95,6:F0} ms  first byte {s.FirstByteMedian,5:F0} ms  table rows {samples[p.Name][^1].TableRows,3}  shows: {samples[p.Name][^1].Text}"));
        }

        Console.WriteLine($"  load average: {LoadAverage()}");
        return pages.ToDictionary(p => p.Name, p => Stats.Of(samples[p.Name]));
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (keep is null) try { Directory.Delete(data, true); } catch (IOException) { }
    }
}

// A page that does not answer within the timeout counts as the timeout (a lower bound), so one slow page does not end the run.
static async Task<PageLoad> LoadOrTimeoutAsync(IPage page, string path)
{
    try { return await PageTimer.LoadAsync(page, path); }
    catch (Exception e) when (e is TimeoutException or PlaywrightException)
    {
        Console.WriteLine($"  {path}: {e.Message.Split('\n')[0]}");
        return new PageLoad(30_000, 30_000, 30_000, 0, "timed out");
    }
}

// The figures move with the machine's load (the bench box is shared), so every run prints it beside them.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string RepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MigrationPortal.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("MigrationPortal.sln not found above the benchmark's folder.");
}

internal sealed record Stats(double Median, double P95, double FirstByteMedian)
{
    /// <summary>Median and p95 by nearest rank (with 10 loads, p95 is the slowest load).</summary>
    public static Stats Of(IReadOnlyList<PageLoad> loads)
    {
        var tti = loads.Select(l => l.Interactive).Order().ToArray();
        var ttfb = loads.Select(l => l.FirstByte).Order().ToArray();
        return new Stats(Percentile(tti, 0.5), Percentile(tti, 0.95), Percentile(ttfb, 0.5));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
