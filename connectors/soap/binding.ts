// A SOAP binding's state (what open() gives the hub to keep): its soap client, made from the local WSDL on first use.
// Made lazily because reading the WSDL can fail; a failed preparation is not kept, so the next delivery tries again
// (the WSDL file may have been fixed) and the hub still starts.
import { prepareBinding, type PreparedBinding } from './client.ts';
import type { SoapConfig } from './config.ts';

export class SoapBinding {
  private prepared: Promise<PreparedBinding> | null = null;

  constructor(
    private readonly config: SoapConfig,
    private readonly configDir: string | undefined,
  ) {}

  /** The prepared client (the same one on every call once it worked). */
  get(): Promise<PreparedBinding> {
    if (!this.prepared) {
      const preparing = prepareBinding(this.config, this.configDir);
      this.prepared = preparing;
      preparing.catch(() => {
        if (this.prepared === preparing) this.prepared = null;
      });
    }
    return this.prepared;
  }

  async close(): Promise<void> {
    const prepared = this.prepared;
    this.prepared = null;
    const binding = await prepared?.catch(() => null);
    binding?.close();
  }
}
