using ReId.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/ReId.Benchmarks -- NAME [args]   (no NAME lists them)
var all = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => !t.IsAbstract && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();
if (args.Length == 0 || all.All(b => b.Name != args[0]))
{
    Console.WriteLine("benchmarks:");
    foreach (var b in all) Console.WriteLine($"  {b.Name,-24} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}
return all.First(b => b.Name == args[0]).Run(args[1..], Console.Out);
