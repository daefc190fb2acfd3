// libuv's threadpool (file I/O, crypto, DNS) defaults to 4 threads; uploads and document reads queue behind each other
// under load. Imported first by the CLI, before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= '16';
