package io.asyncgate.catalogue;

/** The operation catalogue is wrong; the message names the file, the key and the fix. */
public final class CatalogueException extends RuntimeException {
  public CatalogueException(String message, Throwable cause) {
    super(message, cause);
  }

  public CatalogueException(String message) {
    super(message);
  }
}
