using System.Diagnostics;
using System.Text;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// A real second portal process (this assembly's `run-migration`, <see cref="Program"/>) running one request's job on the
/// tests' database file, so a test can SIGKILL a portal mid-transfer: no shutdown, no clean-up, no lease released.
/// </summary>
public sealed class PortalChild : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PortalChild(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static PortalChild Start(string database, Guid requestId, IReadOnlyDictionary<string, string?> settings)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "run-migration", database, requestId.ToString() }) start.ArgumentList.Add(a);
        foreach (var (key, value) in settings) start.ArgumentList.Add($"{key}={value}");
        return new PortalChild(Process.Start(start)!);
    }

    /// <summary>SIGKILL to this process alone (its children are left to find out for themselves), then waits for it.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        // The timed overload: the untimed one also waits for the output pipes to close, which a surviving child holding
        // them would put off for ever.
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException($"portal process {_process.Id} still running 30 s after SIGKILL");
    }

    /// <summary>For a test that failed before its kill: the whole tree, so nothing of it outlives the test.</summary>
    public void KillIfRunning()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    /// <summary>The IDs of the direct children of <paramref name="parent"/> whose command name is <paramref name="name"/> (from /proc).</summary>
    public static IReadOnlyList<int> ChildrenNamed(int parent, string name)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var ppid = int.Parse(stat[(close + 2)..].Split(' ')[1]);
                if (ppid == parent && comm == name) found.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }

    /// <summary>Whether a process with this ID is still alive (a zombie counts as ended).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        KillIfRunning();
        _process.Dispose();
    }
}
