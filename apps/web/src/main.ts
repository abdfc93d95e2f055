document.getElementById("status")!.textContent = "descent"
